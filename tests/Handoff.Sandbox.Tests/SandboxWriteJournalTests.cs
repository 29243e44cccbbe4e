using System.Net;
using System.Text.Json;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests;

/// <summary>The write journal: every accepted write in resourceVersion order, with the user agent of its request.</summary>
public sealed class SandboxWriteJournalTests : EmulatorTest
{
    protected override SandboxOptions Options => base.Options with { RecordWrites = true, AdminPort = 0 };

    [Fact]
    public async Task Every_accepted_write_is_recorded_in_order_with_its_user_agent_and_request()
    {
        var config = Server.CreateClientConfiguration();
        using var client = new Kubernetes(config);
        client.HttpClient.DefaultRequestHeaders.UserAgent.Clear();
        client.HttpClient.DefaultRequestHeaders.UserAgent.ParseAdd("journal-test/1.0");
        var seen = new List<SandboxWrite>();
        Server.Journal.Written += w =>
        {
            lock (seen)
            {
                seen.Add(w);
            }
        };
        var from = Server.ResourceVersion;

        await client.CoreV1.CreateNamespacedPodAsync(Pod("j1"), "default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedPodBindingAsync(
            new V1Binding { Metadata = new V1ObjectMeta { Name = "j1" }, Target = new V1ObjectReference { Kind = "Node", Name = "node-1" } }, "j1", "default", cancellationToken: Ct);
        await PodPhaseAsync("j1", "Succeeded");
        // A refused write is not in the journal.
        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.CreateNamespacedPodAsync(Pod("j1"), "default", cancellationToken: Ct));

        var pods = Server.Journal.Snapshot(from).Where(w => w.Resource == "pods" && w.Name == "j1").ToList();
        Assert.Equal(pods.OrderBy(w => w.ResourceVersion).Select(w => w.ResourceVersion), pods.Select(w => w.ResourceVersion));
        Assert.Equal(("ADDED", "journal-test/1.0", "create pods"), (pods[0].Type, pods[0].UserAgent, pods[0].Request));
        Assert.Equal(("MODIFIED", "journal-test/1.0", "create pods/binding"), (pods[1].Type, pods[1].UserAgent, pods[1].Request));
        using (var bound = pods[1].Parse())
        {
            Assert.Equal("node-1", bound.RootElement.GetProperty("spec").GetProperty("nodeName").GetString());
        }

        // The kubelet's status writes are the sandbox's own: no user agent, no request.
        Assert.Contains(pods.Skip(2), w => w.UserAgent.Length == 0 && w.Request is null);
        using (var last = pods[^1].Parse())
        {
            Assert.Equal("Succeeded", last.RootElement.GetProperty("status").GetProperty("phase").GetString());
        }

        lock (seen)
        {
            Assert.Equal(pods.Select(w => w.ResourceVersion).Order(), seen.Where(w => w.Resource == "pods" && w.Name == "j1").Select(w => w.ResourceVersion).Order());
        }
    }

    [Fact]
    public async Task The_admin_endpoint_serves_the_journal_in_pages_and_the_request_counts()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, "default", cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "b" } }, "default", cancellationToken: Ct);
        using var http = new HttpClient { BaseAddress = Server.AdminAddress };
        var expected = Server.Journal.Snapshot().Select(w => w.ResourceVersion).ToList();
        var got = new List<long>();
        var names = new List<string>();
        var after = 0L;
        while (true)
        {
            using var page = JsonDocument.Parse(await http.GetStringAsync(new Uri($"sandbox/journal?after={after}&limit=3", UriKind.Relative), Ct));
            var items = page.RootElement.GetProperty("items").EnumerateArray().ToList();
            if (items.Count == 0)
            {
                break;
            }

            Assert.True(items.Count <= 3);
            got.AddRange(items.Select(i => i.GetProperty("resourceVersion").GetInt64()));
            names.AddRange(items.Where(i => i.GetProperty("resource").GetString() == "configmaps").Select(i => i.GetProperty("object").GetProperty("metadata").GetProperty("name").GetString()!));
            after = page.RootElement.GetProperty("last").GetInt64();
        }

        Assert.Equal(expected, got);
        Assert.Equal(["a", "b"], names);
        using var requests = JsonDocument.Parse(await http.GetStringAsync(new Uri("sandbox/requests", UriKind.Relative), Ct));
        Assert.Contains(requests.RootElement.GetProperty("items").EnumerateArray(),
            r => r.GetProperty("verb").GetString() == "create" && r.GetProperty("resource").GetString() == "configmaps" && r.GetProperty("count").GetInt64() == 2);
    }

    [Fact]
    public async Task Without_recording_the_journal_endpoint_says_how_to_turn_it_on()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { AdminPort = 0 }, Ct);
        using var http = new HttpClient { BaseAddress = server.AdminAddress };
        var answer = await http.GetAsync(new Uri("sandbox/journal", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("--record-writes", await answer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, server.Journal.Count);
        await using var plain = await SandboxServer.StartAsync(new SandboxOptions(), Ct);
        Assert.Null(plain.AdminAddress);
    }
}
