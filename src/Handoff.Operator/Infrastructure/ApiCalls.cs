using System.Net;
using k8s.Autorest;

namespace Handoff.Operator.Infrastructure;

/// <summary>How one API call ended, for the callers that tell "gone" and "conflict" from success.</summary>
public enum ApiCallResult
{
    Done,

    /// <summary>404: the object is gone (deleted meanwhile) — nothing to do.</summary>
    NotFound,

    /// <summary>409: a precondition (resourceVersion) failed or the object exists — the caller decides.</summary>
    Conflict,
}

/// <summary>
/// The one wrapper of the operator's API calls: 404 and 409 are answers, not errors (the caller gets them as
/// <see cref="ApiCallResult"/>); every other failure counts in <c>handoff_api_errors_total{operation}</c> and is
/// rethrown, so the pass fails and is retried with back-off.
/// </summary>
public sealed class ApiCalls(OperatorMetrics metrics)
{
    public async Task<(ApiCallResult Result, T? Value)> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return (ApiCallResult.Done, await call(cancellationToken));
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return (ApiCallResult.NotFound, null);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return (ApiCallResult.Conflict, null);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.ApiErrors.WithLabels(operation).Inc();
            throw;
        }
    }

    /// <summary>The API server's message of a failed call (its Status body when there is one).</summary>
    public static string MessageOf(HttpOperationException ex) =>
        ex.Response.Content is { Length: > 0 } content && TryStatusMessage(content) is { } message ? message : ex.Message;

    private static string? TryStatusMessage(string content)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(content);
            return doc.RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
