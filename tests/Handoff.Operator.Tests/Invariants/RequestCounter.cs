using System.Collections.Concurrent;

namespace Handoff.Operator.Tests.Invariants;

/// <summary>Counts the operator's requests by method and path (e.g. status patches of one function).</summary>
public sealed class RequestCounter
{
    private readonly ConcurrentQueue<(HttpMethod Method, string Path, DateTimeOffset At)> _requests = new();

    public DelegatingHandler CreateHandler() => new Handler(_requests);

    /// <summary>Requests whose path ends with <paramref name="pathSuffix"/> (e.g. <c>/handofffunctions/f/status</c>).</summary>
    public int Count(HttpMethod method, string pathSuffix) =>
        _requests.Count(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal));

    private sealed class Handler(ConcurrentQueue<(HttpMethod, string, DateTimeOffset)> requests) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            requests.Enqueue((request.Method, request.RequestUri!.AbsolutePath, DateTimeOffset.UtcNow));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
