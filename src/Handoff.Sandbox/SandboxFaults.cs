using Handoff.Sandbox.Store;

namespace Handoff.Sandbox;

/// <summary>
/// Fault injection for reliability tests (all off by default): close open watches, fail the next N matching
/// requests with a status, add latency to every request, or expire the watch history so resumes answer 410 Gone.
/// </summary>
public sealed class SandboxFaults
{
    private readonly Lock _lock = new();
    private readonly List<FailureRule> _rules = [];
    private readonly ObjectStore _store;
    private long _latencyTicks;

    internal SandboxFaults(ObjectStore store) => _store = store;

    private sealed class FailureRule(int remaining, int statusCode, string? verb, string? resource, string? ns)
    {
        public int Remaining { get; set; } = remaining;

        public int StatusCode { get; } = statusCode;

        public bool Matches(string v, string r, string? n) =>
            (verb is null || string.Equals(verb, v, StringComparison.OrdinalIgnoreCase)) &&
            (resource is null || (resource.Contains('/', StringComparison.Ordinal) ? resource == r : resource == r.Split('/')[0])) &&
            (ns is null || ns == n);
    }

    /// <summary>Delay added before every API request is handled (zero = none).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>How many injected failures are still pending.</summary>
    public int PendingFailures
    {
        get
        {
            lock (_lock)
            {
                return _rules.Sum(r => r.Remaining);
            }
        }
    }

    /// <summary>
    /// Fails the next <paramref name="count"/> requests matching <paramref name="verb"/> (get, list, watch, create,
    /// update, patch, delete, deletecollection; null = any) and <paramref name="resource"/> (a plural such as <c>pods</c>,
    /// which also matches its subresources, or <c>pods/binding</c>; null = any) with <paramref name="statusCode"/>
    /// (e.g. 500, 429, 409), answered as a Kubernetes Status.
    /// </summary>
    public void FailNext(int count, int statusCode, string? verb = null, string? resource = null, string? @namespace = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        lock (_lock)
        {
            _rules.Add(new FailureRule(count, statusCode, verb, resource, @namespace));
        }
    }

    /// <summary>Ends every open watch stream now (clients see the stream close and must re-watch). Returns how many were closed.</summary>
    public int CloseAllWatches() => _store.Collections.Sum(c => c.CloseWatchers());

    /// <summary>Drops the kept watch history: a watch resuming from any earlier resourceVersion gets 410 Gone (Expired).</summary>
    public void ExpireWatchHistory()
    {
        foreach (var c in _store.Collections)
        {
            c.Compact();
        }
    }

    /// <summary>Clears pending failures and latency.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _rules.Clear();
        }

        Latency = TimeSpan.Zero;
    }

    internal int? TakeFailure(string verb, string resource, string? ns)
    {
        lock (_lock)
        {
            if (_rules.Count == 0)
            {
                return null;
            }

            var rule = _rules.FirstOrDefault(r => r.Matches(verb, resource, ns));
            if (rule is null)
            {
                return null;
            }

            rule.Remaining--;
            if (rule.Remaining <= 0)
            {
                _rules.Remove(rule);
            }

            return rule.StatusCode;
        }
    }

    internal static ApiException FailureFor(int status, string groupResource, string name) => status switch
    {
        409 => ApiException.StaleConflict(groupResource, "", groupResource, name),
        429 => new ApiException(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later (injected fault)",
            new System.Text.Json.Nodes.JsonObject { ["retryAfterSeconds"] = 1 })
        {
            Headers = new Dictionary<string, string> { ["Retry-After"] = "1" },
        },
        404 => new ApiException(404, "NotFound", "the server could not find the requested resource (injected fault)"),
        503 => new ApiException(503, "ServiceUnavailable", "the server is currently unable to handle the request (injected fault)"),
        >= 500 => new ApiException(status, "InternalError", "Internal error occurred: injected fault"),
        _ => new ApiException(status, "BadRequest", "injected fault"),
    };
}
