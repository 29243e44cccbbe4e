using System.Net;
using System.Text;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Sandbox.Tests;

/// <summary>Fault injection: failures for matching requests only, latency, 410 storms, in C# and over HTTP on the admin port.</summary>
public sealed class SandboxFaultsTests : EmulatorTest
{
    protected override SandboxOptions Options => base.Options with { AdminPort = 0 };

    [Fact]
    public async Task Injected_failures_answer_Status_errors_for_matching_requests_only()
    {
        Server.Faults.FailNext(2, 500, verb: "create", resource: "configmaps");
        Server.Faults.FailNext(1, 429, verb: "list", resource: "pods");
        var cm = new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "f-" } };
        var first = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.InternalServerError, first.Response.StatusCode);
        Assert.Equal("InternalError", KubernetesJson.Deserialize<V1Status>(first.Response.Content).Reason);
        await Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct));
        await Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct);

        var throttled = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ListNamespacedPodAsync("default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Response.StatusCode);
        Assert.Equal(0, Server.Faults.PendingFailures);

        Server.Faults.FailNext(1, 409, resource: "pods/binding");
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("b1"), "default", cancellationToken: Ct);
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedPodBindingAsync(
            new V1Binding { Metadata = new V1ObjectMeta { Name = "b1" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-1" } }, "b1", "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
    }

    [Fact]
    public async Task Latency_and_faults_are_also_controlled_over_HTTP_on_the_admin_port_only()
    {
        Assert.NotNull(Server.AdminAddress);
        Assert.NotEqual(Server.BaseAddress.Port, Server.AdminAddress!.Port);
        using var http = new HttpClient { BaseAddress = Server.AdminAddress };
        (await http.PostAsync(new Uri("sandbox/faults/latency", UriKind.Relative), Json("""{"milliseconds":150}"""), Ct)).EnsureSuccessStatusCode();
        var started = DateTime.UtcNow;
        await Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(140));
        (await http.PostAsync(new Uri("sandbox/faults/fail", UriKind.Relative), Json("""{"count":1,"status":503,"verb":"get","resource":"namespaces"}"""), Ct)).EnsureSuccessStatusCode();
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespaceAsync("default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.Response.StatusCode);
        (await http.DeleteAsync(new Uri("sandbox/faults", UriKind.Relative), Ct)).EnsureSuccessStatusCode();
        Assert.Equal(TimeSpan.Zero, Server.Faults.Latency);

        // The API port serves no fault injection: a client of the API cannot break the API server.
        using var api = new HttpClient { BaseAddress = Server.BaseAddress };
        var refused = await api.PostAsync(new Uri("sandbox/faults/fail", UriKind.Relative), Json("""{"count":1,"status":500}"""), Ct);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal(0, Server.Faults.PendingFailures);
        // Nor does the admin port serve the API.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("api/v1/namespaces", UriKind.Relative), Ct)).StatusCode);
    }

    [Fact]
    public async Task A_bad_fault_request_is_a_400_with_the_reason_and_changes_nothing()
    {
        using var http = new HttpClient { BaseAddress = Server.AdminAddress };
        var bad = await http.PostAsync(new Uri("sandbox/faults/fail", UriKind.Relative), Json("""{"count":0,"status":500}"""), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("count", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var both = await http.PostAsync(new Uri("sandbox/faults/fail", UriKind.Relative), Json("""{"count":2,"milliseconds":100}"""), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        var negative = await http.PostAsync(new Uri("sandbox/faults/latency", UriKind.Relative), Json("""{"milliseconds":-5}"""), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Equal(0, Server.Faults.PendingFailures);
        Assert.Equal(TimeSpan.Zero, Server.Faults.Latency);
    }

    [Fact]
    public async Task Failures_and_latency_can_target_one_client_by_its_user_agent()
    {
        using var victim = new HttpClient { BaseAddress = Server.BaseAddress };
        victim.DefaultRequestHeaders.UserAgent.ParseAdd("victim/1.0");
        using var bystander = new HttpClient { BaseAddress = Server.BaseAddress };
        bystander.DefaultRequestHeaders.UserAgent.ParseAdd("bystander/1.0");
        Server.Faults.FailNext(1, 500, userAgent: "victim/");
        var list = new Uri("api/v1/namespaces/default/configmaps", UriKind.Relative);
        Assert.Equal(HttpStatusCode.OK, (await bystander.GetAsync(list, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await victim.GetAsync(list, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await victim.GetAsync(list, Ct)).StatusCode);

        Server.Faults.SetLatency(TimeSpan.FromMilliseconds(300), "victim/");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await bystander.GetAsync(list, Ct);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(300), $"the bystander waited {clock.Elapsed}");
        clock.Restart();
        await victim.GetAsync(list, Ct);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"the victim waited only {clock.Elapsed}");
        Assert.Equal(1, Server.Faults.InjectedFailures);
    }

    [Fact]
    public async Task A_failure_window_fails_every_matching_request_until_it_ends()
    {
        Server.Faults.FailFor(TimeSpan.FromMilliseconds(400), 429, verb: "list", resource: "configmaps");
        for (var i = 0; i < 5; i++)
        {
            var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct));
            Assert.Equal(HttpStatusCode.TooManyRequests, e.Response.StatusCode);
        }

        await Client.CoreV1.ListNamespacedPodAsync("default", cancellationToken: Ct);
        await Wait.UntilAsync(() => Task.FromResult(Server.Faults.PendingFailures), n => n == 0, what: "the window closed");
        await Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        Assert.Equal(5, Server.Faults.InjectedFailures);
    }

    [Fact]
    public async Task A_410_storm_sends_every_watch_back_to_list()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "before" } }, "default", cancellationToken: Ct);
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after" } }, "default", cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = Server.AdminAddress };
        var storm = await http.PostAsync(new Uri("sandbox/faults/gone-storm", UriKind.Relative), Json("{}"), Ct);
        storm.EnsureSuccessStatusCode();
        // Resuming from the list's version now answers the watch's 410 Expired.
        using var api = new HttpClient { BaseAddress = Server.BaseAddress };
        var resumed = await api.GetStringAsync(new Uri($"api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1&resourceVersion={list.Metadata.ResourceVersion}", UriKind.Relative), Ct);
        Assert.Contains("\"code\":410", resumed, StringComparison.Ordinal);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
