using System.Net;
using System.Text;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Sandbox.Tests;

/// <summary>Fault injection: failures for matching requests only, latency, both in C# and over HTTP.</summary>
public sealed class SandboxFaultsTests : EmulatorTest
{
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
    public async Task Latency_and_faults_are_also_controlled_over_HTTP()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        using var latency = new StringContent("""{"milliseconds":150}""", Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri("sandbox/faults/latency", UriKind.Relative), latency, Ct)).EnsureSuccessStatusCode();
        var started = DateTime.UtcNow;
        await Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(140));
        using var fail = new StringContent("""{"count":1,"status":503,"verb":"get","resource":"namespaces"}""", Encoding.UTF8, "application/json");
        (await http.PostAsync(new Uri("sandbox/faults/fail", UriKind.Relative), fail, Ct)).EnsureSuccessStatusCode();
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespaceAsync("default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.Response.StatusCode);
        (await http.DeleteAsync(new Uri("sandbox/faults", UriKind.Relative), Ct)).EnsureSuccessStatusCode();
        Assert.Equal(TimeSpan.Zero, Server.Faults.Latency);
    }
}
