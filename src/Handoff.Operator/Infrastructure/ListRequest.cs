using System.Globalization;
using System.Text;

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

    /// <summary>The request's query string (<c>?watch=true&amp;resourceVersion=…</c>), empty when it has no parameter.</summary>
    public string Query()
    {
        var query = new StringBuilder();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }

        Add("allowWatchBookmarks", Bookmarks is true ? "true" : null);
        Add("continue", Continue);
        Add("limit", Limit?.ToString(CultureInfo.InvariantCulture));
        Add("resourceVersion", ResourceVersion);
        Add("timeoutSeconds", TimeoutSeconds?.ToString(CultureInfo.InvariantCulture));
        Add("watch", Watch ? "true" : null);
        return query.ToString();
    }
}
