namespace Handoff.Operator.Infrastructure;

/// <summary>
/// An object a <see cref="ResourceCache{T}"/> holds that makes its own key and takes, from the version it replaces,
/// the strings the two have in common: what the pass keeps of an object between versions (its memos, its live
/// placements, the cache's own keys) then holds one copy of each, not one per version seen.
/// </summary>
/// <typeparam name="T">The cached object's type.</typeparam>
public interface ICachedIdentity<in T>
{
    /// <summary>Its key in the cache (<see cref="ResourceCache{T}.KeyOf(string?, string)"/>): the cache keys it by this very string.</summary>
    string CacheKey { get; }

    /// <summary>Its <c>metadata.uid</c>, read without making its metadata.</summary>
    string? Uid { get; }

    /// <summary>Its <c>metadata.resourceVersion</c>, read without making its metadata.</summary>
    string? ResourceVersion { get; }

    /// <summary>
    /// Takes the strings equal to <paramref name="previous"/>'s (its key, name and UID among them); called before it is
    /// stored, while it is no one else's.
    /// </summary>
    void KeepIdentityOf(T previous);
}
