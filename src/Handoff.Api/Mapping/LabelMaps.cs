using System.Collections.ObjectModel;

namespace Handoff.Api.Mapping;

/// <summary>An object's labels as what the allocators match against.</summary>
internal static class LabelMaps
{
    /// <summary>
    /// The labels themselves when they can be read as they are, else a copy; none for null. Not copied: the operator
    /// maps every HandoffNode and Node again whenever either changes, and a copy of each one's labels was two maps per
    /// node (~1 MB of an idle operator's heap at 5,000 nodes). The objects mapped are not changed afterwards: the
    /// operator's cached objects never are, and a manifest is read once.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Of(IDictionary<string, string>? labels) => labels switch
    {
        null or { Count: 0 } => ReadOnlyDictionary<string, string>.Empty,
        IReadOnlyDictionary<string, string> readable => readable,
        _ => new Dictionary<string, string>(labels, StringComparer.Ordinal),
    };
}
