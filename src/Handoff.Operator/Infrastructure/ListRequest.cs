namespace Handoff.Operator.Infrastructure;

/// <summary>
/// The query of one list or watch request of an informer, as KubernetesClient's list calls take it: a watch from
/// <see cref="ResourceVersion"/> (ended by the server after <see cref="TimeoutSeconds"/>), or one page of a list
/// (<see cref="Limit"/> objects, from <see cref="Continue"/>).
/// </summary>
public readonly record struct ListRequest(bool Watch, string? ResourceVersion = null, int? TimeoutSeconds = null, int? Limit = null, string? Continue = null)
{
    /// <summary>For <c>allowWatchBookmarks</c>: asked for on watches, left out of lists.</summary>
    public bool? Bookmarks => Watch ? true : null;
}
