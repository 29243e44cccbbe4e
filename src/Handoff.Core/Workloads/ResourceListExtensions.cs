using Handoff.Core.Resources;

namespace Handoff.Core.Workloads;

/// <summary>Small operations on <see cref="ResourceList"/> that the rules here need and the type does not offer.</summary>
internal static class ResourceListExtensions
{
    /// <summary>The entries whose name satisfies <paramref name="predicate"/>.</summary>
    public static ResourceList Filter(this ResourceList list, Func<string, long, bool> predicate)
    {
        var kept = list.Where(e => predicate(e.Key, e.Value)).ToList();
        return kept.Count == list.Count ? list : ResourceList.FromMilli(kept);
    }

    /// <summary><paramref name="list"/> with each entry of <paramref name="entries"/> set (added or replaced).</summary>
    public static ResourceList SetEntries(this ResourceList list, ResourceList entries) =>
        entries.Count == 0 ? list : ResourceList.FromMilli(list.Where(e => !entries.Contains(e.Key)).Concat(entries));
}
