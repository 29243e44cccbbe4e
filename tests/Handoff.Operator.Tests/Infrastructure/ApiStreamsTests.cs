using System.Net;
using Handoff.Operator.Tests.Support;
using k8s;
using k8s.Autorest;

namespace Handoff.Operator.Tests.Infrastructure;

/// <summary>A GET sent through the client's own pipeline, over HTTP against the sandbox: its answer unread, or the server's refusal as the client's error.</summary>
public sealed class ApiStreamsTests
{
    [Fact]
    public async Task A_GET_hands_the_response_over_unread_and_a_refusal_is_the_clients_error_with_the_servers_status()
    {
        await using var cluster = await SandboxCluster.StartAsync(["w1"]);
        var streams = cluster.Streams;

        using (var response = await streams.GetAsync("api/v1/namespaces/" + cluster.Namespace, SandboxCluster.Ct))
        {
            var body = await response.Content.ReadAsStringAsync(SandboxCluster.Ct);
            Assert.Equal(cluster.Namespace, KubernetesJson.Deserialize<k8s.Models.V1Namespace>(body).Metadata.Name);
        }

        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => streams.GetAsync("api/v1/namespaces/no-such-namespace", SandboxCluster.Ct));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Contains("no-such-namespace", missing.Response.Content, StringComparison.Ordinal);
    }
}
