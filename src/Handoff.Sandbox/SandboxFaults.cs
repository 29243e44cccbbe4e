using Handoff.Sandbox.Store;

namespace Handoff.Sandbox;

/// <summary>
/// Fault injection for reliability tests (all off by default): end open watches, expire the watch history so resumes
/// answer 410 Gone (a "410 storm" does both at once), fail matching requests with a status — the next N of them, or
/// all of them for a while — and add latency to every request. Rules can target one client by its
/// <c>User-Agent</c> (a prefix), so a test's own requests or another controller's are left alone. Reachable in C#
/// (<see cref="SandboxServer.Faults"/>) and, when the sandbox is started with an admin port, over HTTP on that
/// loopback port only (docs/sandbox.md, <i>Fault injection</i>).
/// </summary>
public sealed class SandboxFaults
{
    private readonly Lock _lock = new();
    private readonly List<FailureRule> _rules = [];
    private readonly ObjectStore _store;
    private readonly TimeProvider _clock = TimeProvider.System;
    private long _latencyTicks;
    private string? _latencyUserAgent;
    private long _injected;

    internal SandboxFaults(ObjectStore store) => _store = store;

    private sealed class FailureRule(int? remaining, long? until, int statusCode, string? verb, string? resource, string? ns, string? userAgent)
    {
        /// <summary>Requests still to fail; null = every matching request until <see cref="Until"/>.</summary>
        public int? Remaining { get; set; } = remaining;

        /// <summary>End of the window (a <see cref="TimeProvider.GetTimestamp"/> value); null = until used up.</summary>
        public long? Until { get; } = until;

        public int StatusCode { get; } = statusCode;

        public bool Matches(string v, string r, string? n, string agent) =>
            (verb is null || string.Equals(verb, v, StringComparison.OrdinalIgnoreCase)) &&
            (resource is null || (resource.Contains('/', StringComparison.Ordinal) ? resource == r : resource == r.Split('/')[0])) &&
            (ns is null || ns == n) &&
            (userAgent is null || agent.StartsWith(userAgent, StringComparison.Ordinal));

        public string Describe() =>
            $"{StatusCode} for {verb ?? "any verb"} {resource ?? "any resource"}{(ns is null ? "" : " in " + ns)}{(userAgent is null ? "" : " from " + userAgent + "*")}";
    }

    /// <summary>Delay added before every API request is handled (zero = none); see <see cref="SetLatency"/> to aim it at one client.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => SetLatency(value);
    }

    /// <summary>The <c>User-Agent</c> prefix the latency applies to (null = every client).</summary>
    public string? LatencyUserAgent => Volatile.Read(ref _latencyUserAgent);

    /// <summary>How many injected failures are still pending (count rules only; a time window counts as one while open).</summary>
    public int PendingFailures
    {
        get
        {
            lock (_lock)
            {
                Expire();
                return _rules.Sum(r => r.Remaining ?? 1);
            }
        }
    }

    /// <summary>How many requests were answered with an injected failure since the sandbox started.</summary>
    public long InjectedFailures => Interlocked.Read(ref _injected);

    /// <summary>The active failure rules, described (for the admin endpoint's GET).</summary>
    public IReadOnlyList<string> DescribeRules()
    {
        lock (_lock)
        {
            Expire();
            return [.. _rules.Select(r => r.Describe() + (r.Remaining is { } n ? $", {n} left" : ", until the window ends"))];
        }
    }

    /// <summary>
    /// Fails the next <paramref name="count"/> requests matching <paramref name="verb"/> (get, list, watch, create,
    /// update, patch, delete, deletecollection; null = any), <paramref name="resource"/> (a plural such as <c>pods</c>,
    /// which also matches its subresources, or <c>pods/binding</c>; null = any), <paramref name="namespace"/> and
    /// <paramref name="userAgent"/> (a prefix of the client's <c>User-Agent</c>; null = any client) with
    /// <paramref name="statusCode"/> (e.g. 500, 429, 409), answered as a Kubernetes Status.
    /// </summary>
    public void FailNext(int count, int statusCode, string? verb = null, string? resource = null, string? @namespace = null, string? userAgent = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        lock (_lock)
        {
            _rules.Add(new FailureRule(count, null, statusCode, verb, resource, @namespace, userAgent));
        }
    }

    /// <summary>
    /// Fails every matching request (as <see cref="FailNext"/> matches them) for <paramref name="duration"/> from now: a
    /// burst of 429s or 500s as an overloaded or failing API server gives, however often the client retries.
    /// </summary>
    public void FailFor(TimeSpan duration, int statusCode, string? verb = null, string? resource = null, string? @namespace = null, string? userAgent = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        var until = _clock.GetTimestamp() + (long)(duration.TotalSeconds * _clock.TimestampFrequency);
        lock (_lock)
        {
            _rules.Add(new FailureRule(null, until, statusCode, verb, resource, @namespace, userAgent));
        }
    }

    /// <summary>Delays every API request by <paramref name="latency"/> (zero = none), only those of clients whose <c>User-Agent</c> starts with <paramref name="userAgent"/> when given.</summary>
    public void SetLatency(TimeSpan latency, string? userAgent = null)
    {
        Volatile.Write(ref _latencyUserAgent, userAgent);
        Interlocked.Exchange(ref _latencyTicks, Math.Max(0, latency.Ticks));
    }

    /// <summary>Ends every open watch stream now (clients see the stream close and must re-watch). Returns how many were closed.</summary>
    public int CloseAllWatches() => _store.Collections.Sum(c => c.CloseWatchers());

    /// <summary>
    /// Ends the open watches of one resource (its plural, or plural.group: <c>pods</c>, <c>handofffunctions</c>,
    /// <c>leases.coordination.k8s.io</c>); null = all. Returns how many were closed.
    /// </summary>
    public int CloseWatches(string? resource) =>
        resource is null ? CloseAllWatches() : _store.Collections.Where(c => Names(c, resource)).Sum(c => c.CloseWatchers());

    /// <summary>Drops the kept watch history: a watch resuming from any earlier resourceVersion gets 410 Gone (Expired).</summary>
    public void ExpireWatchHistory()
    {
        foreach (var c in _store.Collections)
        {
            c.Compact();
        }
    }

    /// <summary>
    /// A 410 storm: the history is expired and every watch ended, so every client resumes from a version that is gone,
    /// gets 410 and must list again — all at once, as after an API server restart or an etcd compaction. Returns how
    /// many watches were ended.
    /// </summary>
    public int GoneStorm()
    {
        ExpireWatchHistory();
        return CloseAllWatches();
    }

    /// <summary>Clears pending failures and latency.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _rules.Clear();
        }

        SetLatency(TimeSpan.Zero);
    }

    /// <summary>The latency for a request from <paramref name="userAgent"/>.</summary>
    internal TimeSpan LatencyFor(string userAgent)
    {
        var latency = Latency;
        return latency > TimeSpan.Zero && (LatencyUserAgent is not { } prefix || userAgent.StartsWith(prefix, StringComparison.Ordinal))
            ? latency
            : TimeSpan.Zero;
    }

    internal int? TakeFailure(string verb, string resource, string? ns, string userAgent)
    {
        lock (_lock)
        {
            if (_rules.Count == 0)
            {
                return null;
            }

            Expire();
            var rule = _rules.FirstOrDefault(r => r.Matches(verb, resource, ns, userAgent));
            if (rule is null)
            {
                return null;
            }

            if (rule.Remaining is { } remaining)
            {
                rule.Remaining = remaining - 1;
                if (remaining <= 1)
                {
                    _rules.Remove(rule);
                }
            }

            Interlocked.Increment(ref _injected);
            return rule.StatusCode;
        }
    }

    private void Expire()
    {
        var now = _clock.GetTimestamp();
        _rules.RemoveAll(r => r.Until is { } until && now >= until);
    }

    private static bool Names(ResourceCollection collection, string resource) =>
        collection.GroupResource == resource || collection.GroupResource.Split('.')[0] == resource;

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
