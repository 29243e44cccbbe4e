using System.Net;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Operator.Infrastructure;

/// <summary>
/// The paging loop of a list, as client-go's <c>tools/pager</c>: a first request with <c>limit</c>, then one with each
/// page's <c>continue</c> token until the server gives none. A token the server no longer accepts (410 Gone, reason
/// Expired: its snapshot was compacted) ends the list with <see cref="ResourceExpiredException"/>: the pages read so far
/// belong to a snapshot that cannot be finished, so the caller starts again.
/// </summary>
public static class ListPager
{
    /// <summary>client-go's pager default.</summary>
    public const int DefaultPageSize = 500;

    public static async IAsyncEnumerable<ResourceListPage<T>> PagesAsync<T>(
        int pageSize, Func<ListRequest, CancellationToken, Task<ResourceListPage<T>>> fetchPage, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pageSize);
        string? token = null;
        do
        {
            ResourceListPage<T> page;
            try
            {
                page = await fetchPage(new ListRequest(Watch: false, Limit: pageSize > 0 ? pageSize : null, Continue: token), cancellationToken);
            }
            catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.Gone)
            {
                throw new ResourceExpiredException(StatusMessage(ex));
            }

            token = page.Continue;
            yield return page;
        }
        while (!string.IsNullOrEmpty(token));
    }

    /// <summary>The message of the Status the server answered with, else the client's.</summary>
    private static string StatusMessage(HttpOperationException ex)
    {
        try
        {
            return ex.Response?.Content is { Length: > 0 } content && KubernetesJson.Deserialize<V1Status>(content)?.Message is { Length: > 0 } message
                ? message
                : ex.Message;
        }
        catch (System.Text.Json.JsonException)
        {
            return ex.Message;
        }
    }
}
