using System.Net.Http.Headers;
using System.Text.Json;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>What clients discover and print: discovery documents, server-side tables, events.</summary>
public abstract class DiscoveryContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    [Fact]
    public async Task Tables_use_the_CRD_printer_columns()
    {
        var ns = await NamespaceAsync(withCrd: true);
        await Client.CreateAsync(ns, Widgets.New("w1", 4, note: "hello"));
        await Client.PatchStatusAsync(ns, "w1", """{"status":{"phase":"Ready"}}""");
        // Through the client's own HttpClient (it carries the credentials a real cluster needs).
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Client.BaseUri, $"apis/sandbox.test/v1/namespaces/{ns}/widgets"));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse("application/json;as=Table;v=v1;g=meta.k8s.io"));
        using var response = await Client.HttpClient.SendAsync(request, Ct);
        var table = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("Table", table.GetProperty("kind").GetString());
        Assert.Equal(["Name", "Phase", "Size", "Note", "Age"], table.GetProperty("columnDefinitions").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(1, table.GetProperty("columnDefinitions")[3].GetProperty("priority").GetInt32());
        var cells = table.GetProperty("rows")[0].GetProperty("cells");
        Assert.Equal("w1", cells[0].GetString());
        Assert.Equal("Ready", cells[1].GetString());
        Assert.Equal(4, cells[2].GetInt32());
        Assert.Equal("hello", cells[3].GetString());
        Assert.Matches("^[0-9]+s$", cells[4].GetString()!);
        Assert.Equal("PartialObjectMetadata", table.GetProperty("rows")[0].GetProperty("object").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Discovery_lists_the_custom_kind_with_short_names_and_subresources()
    {
        await NamespaceAsync(withCrd: true);
        var resources = await Client.GetAPIResourcesAsync("sandbox.test", "v1", Ct);
        var widgets = Assert.Single(resources.Resources, r => r.Name == "widgets");
        Assert.True(widgets.Namespaced);
        Assert.Equal("Widget", widgets.Kind);
        Assert.Equal(["wd"], widgets.ShortNames);
        Assert.Contains("sandboxtest", widgets.Categories);
        Assert.Contains(resources.Resources, r => r.Name == "widgets/status");
        var groups = await Client.Apis.GetAPIVersionsAsync(Ct);
        Assert.Contains(groups.Groups, g => g.Name == "sandbox.test");
    }

    [Fact]
    public async Task Events_are_created_and_found_by_involvedObject_field_selectors()
    {
        var ns = await NamespaceAsync();
        var cm = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "target" } }, ns, cancellationToken: Ct);
        var now = DateTime.UtcNow;
        // The same object, as the old (core/v1) and the new (events.k8s.io/v1) Event API name it.
        var target = new V1ObjectReference { Kind = "ConfigMap", Name = "target", NamespaceProperty = ns, Uid = cm.Metadata.Uid, ApiVersion = "v1" };
        await Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "target." },
            InvolvedObject = target,
            Reason = "Scheduled",
            Message = "placed on node-1",
            Type = "Normal",
            Source = new V1EventSource { Component = "handoff" },
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        }, ns, cancellationToken: Ct);
        await Client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "target." },
            Regarding = target,
            Reason = "Retrying",
            Note = "attempt 2",
            Type = "Warning",
            Action = "Retry",
            ReportingController = "handoff.dev/operator",
            ReportingInstance = "handoff-0",
            EventTime = now,
        }, ns, cancellationToken: Ct);

        var found = await Client.CoreV1.ListNamespacedEventAsync(ns,
            fieldSelector: $"involvedObject.name=target,involvedObject.kind=ConfigMap,involvedObject.uid={cm.Metadata.Uid}", cancellationToken: Ct);
        Assert.Contains(found.Items, e => e.Reason == "Scheduled" && e.Message == "placed on node-1");
        var modern = await Client.EventsV1.ListNamespacedEventAsync(ns, fieldSelector: "regarding.name=target,reason=Retrying", cancellationToken: Ct);
        Assert.Equal("attempt 2", Assert.Single(modern.Items).Note);
    }

    [Fact]
    public async Task Discovery_lists_the_eviction_subresource_in_the_policy_group_and_jobs_in_batch()
    {
        Fixture.SkipIfUnavailable();
        var core = await Client.GetAPIResourcesAsync("", "v1", Ct);
        var eviction = Assert.Single(core.Resources, r => r.Name == "pods/eviction");
        Assert.Equal(("policy", "v1", "Eviction"), (eviction.Group, eviction.Version, eviction.Kind));
        Assert.Equal(["create"], eviction.Verbs);
        Assert.Contains(core.Resources, r => r.Name == "pods/binding" && r.Kind == "Binding");

        var batch = await Client.GetAPIResourcesAsync("batch", "v1", Ct);
        var jobs = Assert.Single(batch.Resources, r => r.Name == "jobs");
        Assert.True(jobs.Namespaced);
        Assert.Contains("all", jobs.Categories);
        Assert.Contains(batch.Resources, r => r.Name == "jobs/status");
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorDiscoveryContractTests(EmulatorFixture fixture) : DiscoveryContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sDiscoveryContractTests(K3sFixture fixture) : DiscoveryContract<K3sFixture>(fixture);
