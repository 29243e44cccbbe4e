using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Handoff.Api.V1Alpha1;
using Handoff.Core.Lifecycle;
using Handoff.Operator.Tests.Scenarios;
using Handoff.Operator.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Handoff.Operator.Tests.Rbac;

/// <summary>
/// The chart's RBAC, enforced: the operator, authenticated as the chart's ServiceAccount against an RBAC-enforcing
/// sandbox, runs a scenario that exercises every kind of API call it makes (DAG hand-off, retries, failures, bad
/// input, an unbound pod cleaned up, a binding conflict, leader election and hand-over, a secure metrics scrape) and is
/// refused nothing; every verb the chart grants on every resource is used; and with any one rule removed the operator
/// is refused somewhere. Together they replace the recorded-calls check (RbacCoverageTests) with the API server's own
/// judgement.
/// </summary>
public sealed class ChartRbacEnforcementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static OperatorOptions Replica(SandboxCluster cluster, string identity, int metricsPort = 0) =>
        LeaderElectionTests.Replica(cluster, identity) with
        {
            RetryBackoffInitial = TimeSpan.FromMilliseconds(100),
            MetricsAddress = metricsPort == 0 ? "" : $"127.0.0.1:{metricsPort}",
            ProbeAddress = "",
            LogLevel = "Warning",
        };

    /// <summary>An operator started as the chart's ServiceAccount, serving /metrics securely when a port is given.</summary>
    private static Task<RunningOperator> StartServingAsync(SandboxCluster cluster, OperatorOptions options) =>
        OperatorHost.StartAsync(options, cluster.OperatorConfig, new OperatorHostSettings { ConfigureLogging = l => l.AddProvider(new TestLoggerProvider()) }, Ct);

    private static async Task<HttpStatusCode> ScrapeAsync(int port, string? token)
    {
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var http = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"https://127.0.0.1:{port}/metrics"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }

    private static Dictionary<string, string> Cpu(string amount) => new() { ["cpu"] = amount };

    private static HandoffFunction Function(string name, string? cpu = null, int? maxRetries = null, params string[] args)
    {
        var function = SandboxCluster.Function(name, cpu is null ? null : Cpu(cpu), args);
        function.Spec.MaxRetries = maxRetries;
        return function;
    }

    [Fact]
    public async Task The_charts_rbac_is_enough_for_everything_the_operator_does_and_every_rule_is_used()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        await cluster.CreateNodeAsync("w1", Cpu("2"));
        var scraper = await cluster.Rbac.ScraperTokenAsync(cluster.Server, cluster.Namespace, "prometheus", Ct);

        // 1. An operator that creates a pod whose binding fails, then stops: the pod is left unbound.
        cluster.Server.Faults.FailNext(1000, 500, "create", "pods/binding");
        var first = await cluster.StartOperatorAsync(Replica(cluster, "first"));
        await cluster.CreateFunctionAsync(Function("late", cpu: "2"));
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("late")).Count == 1, "an unbound pod of late exists");
        await cluster.StopOperatorAsync(first);
        cluster.Server.Faults.Reset();
        // Its capacity is taken meanwhile by a bound pod of another function (adopted on recovery): late's pod must go.
        var other = await cluster.CreateFunctionAsync(Function("other", cpu: "2"));
        var held = Handoff.Operator.Controllers.FunctionPods.Build(other, Handoff.Api.Mapping.HandoffMapper.ToFunction(other), "other-1", 1, "w1", "handoff", []);
        held.Spec.NodeName = "w1";
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(held, cluster.Namespace, cancellationToken: Ct);

        // 2. Two replicas electing a leader through the Lease; one serves /metrics securely.
        var metricsPort = FreePort();
        await using var a = await StartServingAsync(cluster, Replica(cluster, "replica-a", metricsPort));
        var b = await cluster.StartOperatorAsync(Replica(cluster, "replica-b"));
        await Wait.UntilAsync(() => a.Operator.IsLeader || b.Operator.IsLeader, "a leader is elected");
        await Wait.UntilAsync(async () => (await cluster.PodsAsync("late")).All(p => !string.IsNullOrEmpty(p.Spec.NodeName)), "late's unbound pod is deleted or bound");

        // 3. A DAG handing results on, a retried failure, an exhausted one and its dependent, bad input, a function too big;
        //    one binding answered 409 (the operator reads the pod back).
        cluster.Server.Faults.FailNext(1, 409, "create", "pods/binding");
        await using var kubelet = new TestKubelet(cluster, pod => pod.Metadata.Labels[HandoffApi.FunctionLabel] switch
        {
            "source" => new PodOutcome("21"),
            "sum" => new PodOutcome((2 * int.Parse(SandboxCluster.ArgsOf(pod)[0], System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "flaky" when pod.Metadata.Name == "flaky-1" => new PodOutcome("boom", 1),
            "doomed" => new PodOutcome("no", 2),
            _ => new PodOutcome("ok"),
        });
        foreach (var f in new[]
        {
            Function("source", cpu: "1"), Function("sum", "1", null, "source"), Function("flaky", "1", 2), Function("doomed", "1", 0),
            Function("after-doomed", "1", null, "doomed"), Function("too-big", cpu: "3"), Function("cycle", null, null, "cycle"),
        })
        {
            await cluster.CreateFunctionAsync(f);
        }

        var bad = SandboxCluster.Function("bad-template");
        // The CRD refuses a container without an image; two containers of one name only the pod validation does.
        bad.Spec.Template.Spec.Containers.Add(new V1Container { Name = bad.Spec.Template.Spec.Containers[0].Name, Image = "busybox" });
        await cluster.CreateFunctionAsync(bad);

        // A plain pod for Handoff that fits nowhere is told why (a patch of its status); a finished function past its
        // TTL is deleted.
        await cluster.Client.CoreV1.CreateNamespacedPodAsync(TooBigPlainPod(), cluster.Namespace, cancellationToken: Ct);
        await cluster.CreateFunctionAsync(ShortLived());
        // A HandoffQueue, whose status the operator writes.
        var queue = "q-" + cluster.Namespace;
        await cluster.Client.CustomObjects.CreateClusterCustomObjectAsync(
            new HandoffQueue { Metadata = new V1ObjectMeta { Name = queue }, Spec = new HandoffQueueSpec { Quota = new Dictionary<string, string> { ["cpu"] = "1" } } },
            HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, cancellationToken: Ct);

        Assert.Equal("42", (await cluster.WaitForPhaseAsync("sum", FunctionPhases.Succeeded, TimeSpan.FromSeconds(60))).Status.Result);
        await Wait.ForAsync(
            () => cluster.Client.CoreV1.ReadNamespacedPodAsync("plain-too-big", cluster.Namespace, cancellationToken: Ct),
            p => p.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False") == true,
            "the plain pod is marked unschedulable");
        await Wait.UntilAsync(async () => !(await cluster.ListFunctionsAsync()).Any(f => f.Metadata.Name == "short-lived"), "short-lived is deleted after its TTL");
        await Wait.UntilAsync(
            async () => (await cluster.Client.CustomObjects.GetClusterCustomObjectAsync<HandoffQueue>(HandoffApi.Group, HandoffApi.Version, HandoffApi.QueuePlural, queue, cancellationToken: Ct)).Status is not null,
            "the queue's status is written");
        Assert.Equal(2, (await cluster.WaitForPhaseAsync("flaky", FunctionPhases.Succeeded, TimeSpan.FromSeconds(60))).Status.Attempts);
        await cluster.WaitForPhaseAsync("doomed", FunctionPhases.Failed);
        Assert.Equal(Reasons.DependencyFailed, (await cluster.WaitForPhaseAsync("after-doomed", FunctionPhases.Failed)).Status.Conditions!.Single(c => c.Type == "Completed").Reason);
        await cluster.WaitForPhaseAsync("bad-template", FunctionPhases.Failed);
        await cluster.WaitForPhaseAsync("cycle", FunctionPhases.Failed);
        await cluster.WaitForPhaseAsync("too-big", FunctionPhases.Pending);
        await cluster.WaitForPhaseAsync("other", FunctionPhases.Succeeded, TimeSpan.FromSeconds(60));
        await cluster.WaitForPhaseAsync("late", FunctionPhases.Succeeded, TimeSpan.FromSeconds(60));

        // 4. Metrics: the reader's token gets them (the operator reviewed it), an anonymous scrape does not.
        Assert.Equal(HttpStatusCode.OK, await ScrapeAsync(metricsPort, scraper));
        Assert.Equal(HttpStatusCode.Unauthorized, await ScrapeAsync(metricsPort, null));

        // 5. The leader stops (releasing the Lease); the other takes over and schedules.
        var (leader, follower) = a.Operator.IsLeader ? ((RunningOperator)a, b) : (b, a);
        await leader.StopAsync(Ct);
        await Wait.UntilAsync(() => follower.Operator.IsLeader, "the other replica leads");
        await cluster.CreateFunctionAsync(Function("after-handover", cpu: "1"));
        await cluster.WaitForPhaseAsync("after-handover", FunctionPhases.Succeeded, TimeSpan.FromSeconds(60));

        // Nothing the operator asked was refused...
        var decisions = cluster.Server.Authorizations.Snapshot().Keys.Where(d => d.User == cluster.Rbac.User).ToList();
        var refused = decisions.Where(d => !d.Allowed).ToList();
        Assert.True(refused.Count == 0, "the chart's RBAC refused: " + string.Join("; ", refused));
        // ...and every verb on every resource the chart grants was used: nothing is granted for nothing.
        var unused = cluster.Rbac.Rules
            .SelectMany(r => from g in r.Rule.ApiGroups from resource in r.Rule.Resources from verb in r.Rule.Verbs select (Group: g, Resource: resource, Verb: verb))
            .Where(t => !decisions.Any(d => d.Allowed && d.ApiGroup == t.Group && d.Resource == t.Resource && d.Verb == t.Verb))
            .Select(t => $"{t.Verb} {t.Resource} in \"{t.Group}\"").ToList();
        Assert.True(unused.Count == 0, "granted by the chart but never used: " + string.Join("; ", unused) + "\nused: " + string.Join("; ", decisions));
        Assert.Empty(kubelet.Errors);
    }

    [Fact]
    public async Task Without_any_one_rule_of_the_chart_the_operator_is_refused_something()
    {
        var rules = (await ChartRbac.RenderAsync("render-only", Ct)).Rules;
        Assert.True(rules.Count >= 10, $"the chart's RBAC has {rules.Count} rules");
        var notNeeded = new List<string>();
        foreach (var (role, index, rule) in rules)
        {
            // The simulated kubelet runs the pods, so functions finish (and short-lived's TTL runs out).
            await using var cluster = await SandboxCluster.StartAsync(["w1"], simulateKubelet: true, rbac: chart => chart.Without(role, index));
            await cluster.CreateNodeAsync("w1", Cpu("2"));
            var scraper = await cluster.Rbac.ScraperTokenAsync(cluster.Server, cluster.Namespace, "prometheus", Ct);
            var metricsPort = FreePort();
            await using var op = await StartServingAsync(cluster, Replica(cluster, "narrow", metricsPort));
            await cluster.CreateFunctionAsync(Function("fits", cpu: "1"));
            await cluster.CreateFunctionAsync(Function("too-big", cpu: "3"));
            await cluster.Client.CoreV1.CreateNamespacedPodAsync(TooBigPlainPod(), cluster.Namespace, cancellationToken: Ct);
            await cluster.CreateFunctionAsync(ShortLived());
            bool Refused() => cluster.Server.Authorizations.Denied().Any(d => d.User == cluster.Rbac.User && Matches(rule, d));
            try
            {
                await Wait.UntilAsync(
                    async () =>
                    {
                        await ScrapeAsync(metricsPort, scraper);
                        return Refused();
                    },
                    $"the operator is refused what {role} rule {index} granted", TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                notNeeded.Add($"{role} rule {index}: {ChartRbac.Describe(rule)}");
            }
        }

        Assert.True(notNeeded.Count == 0, "removing these rules refused the operator nothing: " + string.Join("; ", notNeeded));
    }

    /// <summary>A function deleted as soon as it finished (its TTL is 0).</summary>
    private static HandoffFunction ShortLived()
    {
        var f = SandboxCluster.Function("short-lived");
        f.Spec.TtlSecondsAfterFinished = 0;
        return f;
    }

    /// <summary>A plain pod for Handoff that fits nowhere: the operator tells it why (a patch of its status).</summary>
    private static V1Pod TooBigPlainPod() => new()
    {
        Metadata = new V1ObjectMeta { Name = "plain-too-big" },
        Spec = new V1PodSpec
        {
            SchedulerName = "handoff",
            Containers = [new V1Container { Name = "main", Image = "busybox", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("64") } } }],
        },
    };

    /// <summary>Whether a rule (no wildcards in the chart: RbacTests) covers a decision's verb, group and resource.</summary>
    private static bool Matches(V1PolicyRule rule, Sandbox.SandboxAuthorization decision) =>
        decision.Path.Length == 0
            ? rule.Verbs.Contains(decision.Verb) && (rule.ApiGroups ?? []).Contains(decision.ApiGroup) && (rule.Resources ?? []).Contains(decision.Resource)
            : rule.Verbs.Contains(decision.Verb) && (rule.NonResourceURLs ?? []).Contains(decision.Path);
}
