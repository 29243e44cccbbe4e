using Handoff.Operator.SecureMetrics;
using Handoff.Operator.Tests.Support;
using k8s;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Handoff.Operator.Tests.SecureMetrics;

/// <summary>
/// The metrics endpoint's delegated authentication and authorization against an RBAC-enforcing sandbox, asking as the
/// chart's ServiceAccount (whose ClusterRole grants create on tokenreviews and subjectaccessreviews).
/// </summary>
public sealed class MetricsAccessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static long Reviews(SandboxCluster cluster, string resource) =>
        cluster.Server.Requests.Snapshot().Where(r => r.Key.Verb == "create" && r.Key.Resource == resource).Sum(r => r.Value);

    [Fact]
    public async Task Anonymous_and_unknown_tokens_are_401_a_token_without_the_permission_403_and_a_readers_token_allowed()
    {
        await using var cluster = await SandboxCluster.StartAsync(Array.Empty<string>());
        using var client = new Kubernetes(cluster.OperatorConfig);
        var access = new MetricsAccess(client, TimeProvider.System, NullLogger<MetricsAccess>.Instance);
        var reader = await cluster.Rbac.ScraperTokenAsync(cluster.Server, cluster.Namespace, "prometheus", Ct);
        await cluster.Server.ApplyAsync($"apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: stranger, namespace: {cluster.Namespace}}}\n", "test", Ct);
        var stranger = await cluster.Server.CreateTokenAsync(cluster.Namespace, "stranger", cancellationToken: Ct);

        Assert.Equal(MetricsAccessDecision.Unauthorized, await access.CheckAsync(null, "GET", "/metrics", Ct));
        Assert.Equal(MetricsAccessDecision.Unauthorized, await access.CheckAsync("Basic dXNlcjpwYXNz", "GET", "/metrics", Ct));
        Assert.Equal(0, Reviews(cluster, "tokenreviews"));
        Assert.Equal(MetricsAccessDecision.Unauthorized, await access.CheckAsync("Bearer not-a-token", "GET", "/metrics", Ct));
        Assert.Equal(1, Reviews(cluster, "tokenreviews"));

        var denied = await access.CheckAsync("Bearer " + stranger, "GET", "/metrics", Ct);
        Assert.Equal((403, $"Authorization denied for user system:serviceaccount:{cluster.Namespace}:stranger"), (denied.StatusCode, denied.Message));
        Assert.True((await access.CheckAsync("bearer " + reader, "GET", "/metrics", Ct)).IsAllowed);
        // The role grants get on /metrics only.
        Assert.Equal(403, (await access.CheckAsync("Bearer " + reader, "GET", "/debug", Ct)).StatusCode);
        Assert.Equal(403, (await access.CheckAsync("Bearer " + reader, "POST", "/metrics", Ct)).StatusCode);
        Assert.DoesNotContain(cluster.Server.Authorizations.Denied(), d => d.User == cluster.Rbac.User);
    }

    [Fact]
    public async Task Answers_are_cached_tokens_for_a_minute_allowed_for_five_and_denied_for_thirty_seconds()
    {
        await using var cluster = await SandboxCluster.StartAsync(Array.Empty<string>());
        using var client = new Kubernetes(cluster.OperatorConfig);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var access = new MetricsAccess(client, time, NullLogger<MetricsAccess>.Instance);
        var reader = "Bearer " + await cluster.Rbac.ScraperTokenAsync(cluster.Server, cluster.Namespace, "prometheus", Ct);
        await cluster.Server.ApplyAsync($"apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: late, namespace: {cluster.Namespace}}}\n", "test", Ct);
        var late = "Bearer " + await cluster.Server.CreateTokenAsync(cluster.Namespace, "late", cancellationToken: Ct);

        Assert.True((await access.CheckAsync(reader, "GET", "/metrics", Ct)).IsAllowed);
        Assert.True((await access.CheckAsync(reader, "GET", "/metrics", Ct)).IsAllowed);
        Assert.Equal((1, 1), (Reviews(cluster, "tokenreviews"), Reviews(cluster, "subjectaccessreviews")));
        time.Advance(MetricsAccess.TokenCacheTtl + TimeSpan.FromSeconds(1));
        Assert.True((await access.CheckAsync(reader, "GET", "/metrics", Ct)).IsAllowed);
        Assert.Equal((2, 1), (Reviews(cluster, "tokenreviews"), Reviews(cluster, "subjectaccessreviews")));
        time.Advance(MetricsAccess.AllowedCacheTtl);
        Assert.True((await access.CheckAsync(reader, "GET", "/metrics", Ct)).IsAllowed);
        Assert.Equal((3, 2), (Reviews(cluster, "tokenreviews"), Reviews(cluster, "subjectaccessreviews")));

        // A denial is remembered for 30 s: a binding made meanwhile counts only after that.
        Assert.Equal(403, (await access.CheckAsync(late, "GET", "/metrics", Ct)).StatusCode);
        await cluster.Rbac.ScraperTokenAsync(cluster.Server, cluster.Namespace, "late", Ct);
        Assert.Equal(403, (await access.CheckAsync(late, "GET", "/metrics", Ct)).StatusCode);
        time.Advance(MetricsAccess.DeniedCacheTtl + TimeSpan.FromSeconds(1));
        Assert.True((await access.CheckAsync(late, "GET", "/metrics", Ct)).IsAllowed);
    }

    [Fact]
    public async Task When_the_reviews_fail_the_answer_is_500_and_nothing_is_cached()
    {
        await using var cluster = await SandboxCluster.StartAsync(Array.Empty<string>());
        // An identity that may not create TokenReviews: the API server refuses the review, the endpoint cannot decide.
        await cluster.Server.ApplyAsync($"apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: powerless, namespace: {cluster.Namespace}}}\n", "test", Ct);
        using var client = cluster.Server.CreateClient(await cluster.Server.CreateTokenAsync(cluster.Namespace, "powerless", cancellationToken: Ct));
        var log = new LogRecorder();
        var access = new MetricsAccess(client, TimeProvider.System, new TypedLogger(log));
        var reader = "Bearer " + await cluster.Rbac.ScraperTokenAsync(cluster.Server, cluster.Namespace, "prometheus", Ct);

        Assert.Equal(new MetricsAccessDecision(500, "Authentication failed"), await access.CheckAsync(reader, "GET", "/metrics", Ct));
        Assert.Equal(new MetricsAccessDecision(500, "Authentication failed"), await access.CheckAsync(reader, "GET", "/metrics", Ct));
        var refused = cluster.Server.Authorizations.Snapshot().Single(a => !a.Key.Allowed && a.Key.Resource == "tokenreviews");
        Assert.Equal(($"system:serviceaccount:{cluster.Namespace}:powerless", 2L), (refused.Key.User, refused.Value));
        Assert.Equal(602, log.Lines.First(l => l.Level == LogLevel.Warning).EventId.Id);
    }

    private sealed class TypedLogger(ILogger inner) : ILogger<MetricsAccess>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }
}
