using System.Net;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>Reads: label and field selectors, pagination (every page from one snapshot), watches from a resourceVersion and across a label selector.</summary>
public abstract class ListAndWatchContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
    [Fact]
    public async Task Label_and_field_selectors_filter_lists()
    {
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("a", new Dictionary<string, string> { ["tier"] = "web", ["env"] = "prod" }), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("b", new Dictionary<string, string> { ["tier"] = "db", ["env"] = "prod" }), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("c", new Dictionary<string, string> { ["tier"] = "web" }), ns, cancellationToken: Ct);

        async Task<string[]> Names(string? labels = null, string? fields = null) =>
            [.. (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labels, fieldSelector: fields, cancellationToken: Ct)).Items.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal)];

        Assert.Equal(["a", "c"], await Names("tier=web"));
        Assert.Equal(["a", "b"], await Names("env"));
        Assert.Equal(["c"], await Names("!env"));
        Assert.Equal(["a", "b"], await Names("tier in (web,db),env=prod"));
        Assert.Equal(["b"], await Names("tier notin (web)"));
        Assert.Equal(["b", "c"], await Names(fields: "metadata.name!=a"));
        Assert.Equal(["a", "b", "c"], await Names(fields: "spec.nodeName="));
        Assert.Equal(["a", "b", "c"], await Names(fields: "status.phase=Pending"));
        var bad = await FailsWith(HttpStatusCode.BadRequest, () => Names(fields: "spec.bogus=1"));
        Assert.Contains("field label not supported: spec.bogus", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lists_paginate_with_limit_and_continue()
    {
        var ns = await NamespaceAsync();
        for (var i = 0; i < 5; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i}" } }, ns, cancellationToken: Ct);
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, continueParameter: token, cancellationToken: Ct);
            names.AddRange(page.Items.Select(i => i.Metadata.Name).Where(n => n.StartsWith("cm-", StringComparison.Ordinal)));
            token = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(token));
        Assert.Equal(["cm-0", "cm-1", "cm-2", "cm-3", "cm-4"], names);
        Assert.True(pages >= 3);
    }

    [Fact]
    public async Task Every_page_of_a_list_comes_from_the_first_pages_snapshot()
    {
        var ns = await NamespaceAsync();
        for (var i = 0; i < 5; i++)
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"cm-{i}" } }, ns, cancellationToken: Ct);
        }

        // A real cluster adds kube-root-ca.crt to every namespace: count what is there rather than assume it.
        var total = (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct)).Items.Count;
        var first = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, cancellationToken: Ct);
        var snapshot = first.Metadata.ResourceVersion;
        Assert.Equal(["cm-0", "cm-1"], first.Items.Select(c => c.Metadata.Name));
        Assert.Equal(total - 2, first.Metadata.RemainingItemCount);
        Assert.False(string.IsNullOrEmpty(first.Metadata.ContinueProperty));
        var cm3 = await Client.CoreV1.ReadNamespacedConfigMapAsync("cm-3", ns, cancellationToken: Ct);

        // Changes after the first page: the rest of the list still shows the collection as it was then.
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("cm-4", ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"v"}}""", V1Patch.PatchType.MergePatch), "cm-3", ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm-5" } }, ns, cancellationToken: Ct);
        var rest = new List<V1ConfigMap>();
        var token = first.Metadata.ContinueProperty;
        while (!string.IsNullOrEmpty(token))
        {
            var page = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, limit: 2, continueParameter: token, cancellationToken: Ct);
            Assert.Equal(snapshot, page.Metadata.ResourceVersion);
            rest.AddRange(page.Items);
            token = page.Metadata.ContinueProperty;
            Assert.Equal(string.IsNullOrEmpty(token) ? null : total - 2 - rest.Count, page.Metadata.RemainingItemCount);
        }

        Assert.Equal(total - 2, rest.Count);
        var names = rest.Select(c => c.Metadata.Name).Where(n => n.StartsWith("cm-", StringComparison.Ordinal));
        Assert.Equal(["cm-2", "cm-3", "cm-4"], names);
        var old3 = rest.Single(c => c.Metadata.Name == "cm-3");
        Assert.Equal((cm3.Metadata.ResourceVersion, null), (old3.Metadata.ResourceVersion, old3.Data));

        var now = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct);
        Assert.Equal(["cm-0", "cm-1", "cm-2", "cm-3", "cm-5"], now.Items.Select(c => c.Metadata.Name).Where(n => n.StartsWith("cm-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Watch_from_a_list_resourceVersion_sees_added_modified_deleted_in_order()
    {
        var ns = await NamespaceAsync(withCrd: true);
        var list = await Client.ListWidgetsAsync(ns);
        using var watch = WatchCollector<Widget>.Start(token => WatchCollector<Widget>.Typed(Client.CustomObjects.WatchListNamespacedCustomObjectAsync(
            "sandbox.test", "v1", ns, "widgets", resourceVersion: list.Metadata.ResourceVersion, cancellationToken: token), token), Ct);

        await Client.CreateAsync(ns, Widgets.New("w1", 1));
        await Client.PatchAsync(ns, "w1", """{"spec":{"size":2}}""");
        await Client.DeleteWidgetAsync(ns, "w1");
        var events = await watch.WaitForAsync(e => e.Count >= 3);
        Assert.Equal([(WatchEventType.Added, "w1", 1), (WatchEventType.Modified, "w1", 2), (WatchEventType.Deleted, "w1", 2)],
            events.Select(e => (e.Type, e.Object.Metadata.Name, e.Object.Spec?.Size)));
    }

    [Fact]
    public async Task Watch_with_a_label_selector_sees_objects_enter_and_leave_it()
    {
        var ns = await NamespaceAsync();
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct);
        using var watch = WatchCollector<V1ConfigMap>.Start(token => Client.CoreV1.WatchListNamespacedConfigMapAsync(ns, labelSelector: "pick=yes",
            resourceVersion: list.Metadata.ResourceVersion, cancellationToken: token), Ct);

        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "other" } }, ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }, ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"pick":"yes"}}}""", V1Patch.PatchType.MergePatch), "x", ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"v"}}""", V1Patch.PatchType.MergePatch), "x", ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"labels":{"pick":"no"}}}""", V1Patch.PatchType.MergePatch), "x", ns, cancellationToken: Ct);
        var events = await watch.WaitForAsync(e => e.Count >= 3);
        Assert.Equal([(WatchEventType.Added, "x"), (WatchEventType.Modified, "x"), (WatchEventType.Deleted, "x")], events.Select(e => (e.Type, e.Object.Metadata.Name)));
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorListAndWatchContractTests(EmulatorFixture fixture) : ListAndWatchContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sListAndWatchContractTests(K3sFixture fixture) : ListAndWatchContract<K3sFixture>(fixture);
