using System.Text;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests;

/// <summary>The server as a library: manifests applied in-process, a client-go style leader election, requests counted by user agent.</summary>
public sealed class SandboxServerTests : EmulatorTest
{
    [Fact]
    public async Task Applying_manifests_in_process_creates_then_configures()
    {
        var lines = await Server.ApplyAsync(TestData.WidgetCrd + "\n---\n" + TestData.Widget("w", 2), cancellationToken: Ct);
        Assert.Equal(["customresourcedefinition.apiextensions.k8s.io/widgets.sandbox.test created", "widget.sandbox.test/w created"], lines);
        Assert.Equal(["widget.sandbox.test/w configured"], await Server.ApplyAsync(TestData.Widget("w", 3), cancellationToken: Ct));
        Assert.Equal(["widget.sandbox.test/w unchanged"], await Server.ApplyAsync(TestData.Widget("w", 3), cancellationToken: Ct));
        var invalid = await Assert.ThrowsAsync<SandboxException>(() => Server.ApplyAsync(TestData.Widget("w", 300), "bad.yaml", Ct));
        Assert.Equal(422, invalid.StatusCode);
        Assert.Contains("spec.size in body should be less than or equal to 100", invalid.Message, StringComparison.Ordinal);
        var unknownKind = await Assert.ThrowsAsync<SandboxException>(() => Server.ApplyAsync("apiVersion: x/v1\nkind: Nope\nmetadata: {name: n}\n", "k.yaml", Ct));
        Assert.Contains("no matches for kind \"Nope\" in version \"x/v1\"", unknownKind.Message, StringComparison.Ordinal);
        var badLabelKey = await Assert.ThrowsAsync<SandboxException>(() => Server.ApplyAsync(TestData.Widget("w2", 1, "labels: {Bad_Key: x}"), "l.yaml", Ct));
        Assert.Contains("spec.labels: Invalid value: label keys are lowercase letters", badLabelKey.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Leader_election_with_a_Lease_works_against_the_emulator()
    {
        var leading = new TaskCompletionSource();
        var config = new k8s.LeaderElection.LeaderElectionConfig(new k8s.LeaderElection.ResourceLock.LeaseLock(Client, "default", "handoff-leader", "replica-a"))
        {
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromSeconds(1),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
        };
        using var elector = new k8s.LeaderElection.LeaderElector(config);
        elector.OnStartedLeading += () => leading.TrySetResult();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = elector.RunUntilLeadershipLostAsync(stop.Token);
        await leading.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var lease = await Client.CoordinationV1.ReadNamespacedLeaseAsync("handoff-leader", "default", cancellationToken: Ct);
        Assert.Equal("replica-a", lease.Spec.HolderIdentity);

        // Renewals replace the lease with resourceVersion preconditions.
        var renewed = await Wait.UntilAsync(() => Client.CoordinationV1.ReadNamespacedLeaseAsync("handoff-leader", "default", cancellationToken: Ct),
            l => l.Spec.RenewTime > lease.Spec.RenewTime, what: "lease renewed");
        Assert.Equal("replica-a", renewed.Spec.HolderIdentity);
        await stop.CancelAsync();
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Cancelling ends the elector either way.
        }
    }

    [Fact]
    public async Task Requests_are_counted_by_user_agent_verb_and_resource()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("counting-test/1.0");
        Server.Requests.Clear();
        using var body = new StringContent("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"counted"},"spec":{"schedulerName":"sandbox-test","containers":[{"name":"c","image":"busybox"}]}}""", Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri("api/v1/namespaces/default/pods", UriKind.Relative), body, Ct)).EnsureSuccessStatusCode();
        using var binding = new StringContent("""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"counted"},"target":{"kind":"Node","name":"node-1"}}""", Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri("api/v1/namespaces/default/pods/counted/binding", UriKind.Relative), binding, Ct)).EnsureSuccessStatusCode();
        (await http.GetAsync(new Uri("api/v1/namespaces/default/pods", UriKind.Relative), Ct)).EnsureSuccessStatusCode();
        (await http.GetAsync(new Uri("api/v1/namespaces/default/pods/counted", UriKind.Relative), Ct)).EnsureSuccessStatusCode();
        (await http.GetAsync(new Uri("api/v1/namespaces/default/pods/missing", UriKind.Relative), Ct)).Dispose();

        var mine = Server.Requests.Snapshot().Where(r => r.Key.UserAgent == "counting-test/1.0").ToDictionary(r => (r.Key.Verb, r.Key.Resource), r => r.Value);
        Assert.Equal(
            new Dictionary<(string, string), long> { [("create", "pods")] = 1, [("create", "pods/binding")] = 1, [("list", "pods")] = 1, [("get", "pods")] = 2 },
            mine);
        Assert.Equal(2, Server.Requests.Snapshot().Where(r => r.Key.UserAgent == "counting-test/1.0" && r.Key.IsWrite).Sum(r => r.Value));
    }
}
