using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Handoff.Sandbox.Tests.Support;
using Handoff.Testing;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>
/// API behaviours written once and run against every <see cref="IClusterFixture"/>: the emulator always,
/// k3s when a Docker engine is reachable (skipped with the reason otherwise).
/// </summary>
public abstract class ClusterContract<TFixture>(TFixture fixture)
    where TFixture : IClusterFixture
{
    protected TFixture Fixture { get; } = fixture;

    protected Kubernetes Client => Fixture.Client;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected async Task<string> NamespaceAsync(bool withCrd = false)
    {
        Fixture.SkipIfUnavailable();
        if (withCrd)
        {
            await Fixture.EnsureWidgetCrdAsync();
        }

        return await Fixture.NewNamespaceAsync();
    }

    protected static async Task<V1Status> FailsWith(HttpStatusCode code, Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(action);
        Assert.Equal(code, e.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal("Status", status.Kind);
        Assert.Equal((int)code, status.Code);
        return status;
    }

    private static V1Pod Pod(string name, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec
        {
            SchedulerName = "handoff-test",
            RestartPolicy = "Never",
            Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["true"] }],
        },
    };

    [Fact]
    public async Task Create_sets_uid_resourceVersion_creationTimestamp_and_generation()
    {
        var ns = await NamespaceAsync(withCrd: true);
        var created = await Client.CreateAsync(ns, Widgets.New("w1", 3));
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.Equal("red", created.Spec!.Color);
        var read = await Client.GetWidgetAsync(ns, "w1");
        Assert.Equal(created.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Duplicate_create_is_409_AlreadyExists_and_missing_object_is_404_NotFound()
    {
        var ns = await NamespaceAsync(withCrd: true);
        await Client.CreateAsync(ns, Widgets.New("w1", 1));
        var exists = await FailsWith(HttpStatusCode.Conflict, () => Client.CreateAsync(ns, Widgets.New("w1", 1)));
        Assert.Equal("AlreadyExists", exists.Reason);
        Assert.Equal("widgets.sandbox.test \"w1\" already exists", exists.Message);

        var missing = await FailsWith(HttpStatusCode.NotFound, () => Client.GetWidgetAsync(ns, "nope"));
        Assert.Equal("NotFound", missing.Reason);
        Assert.Equal("widgets.sandbox.test \"nope\" not found", missing.Message);

        var pod = await FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedPodAsync("nope", ns, cancellationToken: Ct));
        Assert.Equal("pods \"nope\" not found", pod.Message);
    }

    [Fact]
    public async Task Update_with_a_stale_resourceVersion_is_409_Conflict()
    {
        var ns = await NamespaceAsync(withCrd: true);
        var created = await Client.CreateAsync(ns, Widgets.New("w1", 1));
        created.Spec!.Size = 2;
        var updated = await Client.ReplaceAsync(ns, created);
        Assert.NotEqual(created.Metadata.ResourceVersion, updated.Metadata.ResourceVersion);

        created.Spec.Size = 5;
        var conflict = await FailsWith(HttpStatusCode.Conflict, () => Client.ReplaceAsync(ns, created));
        Assert.Equal("Conflict", conflict.Reason);
        Assert.Equal(
            "Operation cannot be fulfilled on widgets.sandbox.test \"w1\": the object has been modified; please apply your changes to the latest version and try again",
            conflict.Message);
    }

    [Fact]
    public async Task Generation_changes_with_spec_only_and_status_is_a_separate_subresource()
    {
        var ns = await NamespaceAsync(withCrd: true);
        await Client.CreateAsync(ns, Widgets.New("w1", 1));

        var labelled = await Client.PatchAsync(ns, "w1", """{"metadata":{"labels":{"a":"b"}}}""");
        Assert.Equal(1, labelled.Metadata.Generation);

        var specChanged = await Client.PatchAsync(ns, "w1", """{"spec":{"size":7}}""");
        Assert.Equal(2, specChanged.Metadata.Generation);

        // The main resource ignores status; /status ignores spec.
        var ignored = await Client.PatchAsync(ns, "w1", """{"status":{"phase":"Ignored"}}""");
        Assert.Null(ignored.Status?.Phase);
        var status = await Client.PatchStatusAsync(ns, "w1", """{"status":{"phase":"Running","count":2,"unknownStatusField":1},"spec":{"size":99}}""");
        Assert.Equal("Running", status.Status!.Phase);
        var raw = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>("sandbox.test", "v1", ns, "widgets", "w1", Ct);
        Assert.False(raw.GetProperty("status").TryGetProperty("unknownStatusField", out _));
        Assert.Equal(7, status.Spec!.Size);
        Assert.Equal(2, status.Metadata.Generation);
    }

    [Fact]
    public async Task Custom_objects_are_validated_against_the_schema_with_422_Invalid_and_field_paths()
    {
        var ns = await NamespaceAsync(withCrd: true);
        var tooBig = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CreateAsync(ns, Widgets.New("w1", 101)));
        Assert.Equal("Invalid", tooBig.Reason);
        var cause = Assert.Single(tooBig.Details.Causes);
        Assert.Equal("spec.size", cause.Field);
        Assert.Equal("FieldValueInvalid", cause.Reason);
        Assert.Equal("Widget.sandbox.test \"w1\" is invalid: spec.size: Invalid value: 101: spec.size in body should be less than or equal to 100", tooBig.Message);

        var missing = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CreateAsync(ns, Widgets.New("w2", null)));
        Assert.Equal("spec.size", Assert.Single(missing.Details.Causes).Field);
        Assert.Contains("spec.size: Required value", missing.Message, StringComparison.Ordinal);

        var badEnum = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CreateAsync(ns, new Dictionary<string, object>
        {
            ["apiVersion"] = "sandbox.test/v1",
            ["kind"] = "Widget",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "w3" },
            ["spec"] = new Dictionary<string, object> { ["size"] = "x", ["color"] = "pink" },
        }));
        Assert.Equal(["spec.color", "spec.size"], badEnum.Details.Causes.Select(c => c.Field).Order(StringComparer.Ordinal));
        Assert.Contains(badEnum.Details.Causes, c => c.Reason == "FieldValueNotSupported" && c.Message.Contains("supported values: \"red\", \"green\", \"blue\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FieldValidation_Strict_rejects_unknown_fields_and_Ignore_prunes_them()
    {
        var ns = await NamespaceAsync(withCrd: true);
        var body = new Dictionary<string, object>
        {
            ["apiVersion"] = "sandbox.test/v1",
            ["kind"] = "Widget",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "w1" },
            ["spec"] = new Dictionary<string, object> { ["size"] = 1, ["bogus"] = true, ["free"] = new Dictionary<string, object> { ["anything"] = 1 } },
        };
        var strict = await FailsWith(HttpStatusCode.BadRequest, () => Client.CreateAsync(ns, body, fieldValidation: "Strict"));
        Assert.Contains("unknown field \"spec.bogus\"", strict.Message, StringComparison.Ordinal);

        await Client.CreateAsync(ns, body, fieldValidation: "Ignore");
        var raw = await Client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>("sandbox.test", "v1", ns, "widgets", "w1", Ct);
        var spec = raw.GetProperty("spec");
        Assert.False(spec.TryGetProperty("bogus", out _));
        Assert.Equal(1, spec.GetProperty("free").GetProperty("anything").GetInt32());
    }

    [Fact]
    public async Task Objects_need_an_existing_namespace_new_namespaces_get_a_default_service_account_and_generateName_makes_a_name()
    {
        Fixture.SkipIfUnavailable();
        var missing = await FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.CreateNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, "no-such-namespace-" + Guid.NewGuid().ToString("N")[..6], cancellationToken: Ct));
        Assert.StartsWith("namespaces \"no-such-namespace-", missing.Message, StringComparison.Ordinal);

        var ns = await NamespaceAsync();
        await Wait.ForAsync(async () => (await Client.CoreV1.ListNamespacedServiceAccountAsync(ns, cancellationToken: Ct)).Items.Select(a => a.Metadata.Name).ToList(),
            names => names.Contains("default"), "default service account", TimeSpan.FromSeconds(30));
        var generated = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "gen-" } }, ns, cancellationToken: Ct);
        Assert.Matches("^gen-[a-z0-9]{5}$", generated.Metadata.Name);
    }

    [Fact]
    public async Task Merge_json_and_strategic_merge_patches_apply()
    {
        var ns = await NamespaceAsync();
        var pod = Pod("p1", new Dictionary<string, string> { ["a"] = "1" });
        pod.Spec.Containers[0].Env = [new V1EnvVar { Name = "X", Value = "1" }, new V1EnvVar { Name = "Y", Value = "2" }];
        await Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Ct);

        var merged = await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"labels":{"b":"2","a":null}}}""", V1Patch.PatchType.MergePatch), "p1", ns, cancellationToken: Ct);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "2" }, merged.Metadata.Labels);

        var jsonPatched = await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""[{"op":"add","path":"/metadata/annotations","value":{"k":"v"}}]""", V1Patch.PatchType.JsonPatch), "p1", ns, cancellationToken: Ct);
        Assert.Equal("v", jsonPatched.Metadata.Annotations["k"]);

        // Strategic merge: containers merge by name, finalizers merge as a set.
        var smp = await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":["test/one"]},"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}""", V1Patch.PatchType.StrategicMergePatch), "p1", ns, cancellationToken: Ct);
        var container = Assert.Single(smp.Spec.Containers);
        Assert.Equal("busybox:1.37", container.Image);
        Assert.Equal(["X", "Y"], container.Env.Select(e => e.Name));
        Assert.Equal(["test/one"], smp.Metadata.Finalizers);
        await Client.CoreV1.PatchNamespacedPodAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "p1", ns, cancellationToken: Ct);
    }

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

    [Fact]
    public async Task Binding_sets_nodeName_and_PodScheduled_and_a_second_binding_is_409()
    {
        var ns = await NamespaceAsync();
        var node = (await Client.CoreV1.ListNodeAsync(cancellationToken: Ct)).Items[0].Metadata.Name;
        await Client.CoreV1.CreateNamespacedPodAsync(Pod("p1"), ns, cancellationToken: Ct);
        var binding = new V1Binding { Metadata = new V1ObjectMeta { Name = "p1" }, Target = new V1ObjectReference { Kind = "Node", ApiVersion = "v1", Name = node } };
        await Client.CoreV1.CreateNamespacedPodBindingAsync(binding, "p1", ns, cancellationToken: Ct);
        var pod = await Client.CoreV1.ReadNamespacedPodAsync("p1", ns, cancellationToken: Ct);
        Assert.Equal(node, pod.Spec.NodeName);
        Assert.Contains(pod.Status.Conditions, c => c.Type == "PodScheduled" && c.Status == "True");

        var again = await FailsWith(HttpStatusCode.Conflict, () => Client.CoreV1.CreateNamespacedPodBindingAsync(binding, "p1", ns, cancellationToken: Ct));
        Assert.Contains($"pod p1 is already assigned to node \"{node}\"", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_waits_for_finalizers_and_removing_the_last_one_deletes()
    {
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "f", Finalizers = ["sandbox.test/hold"] } }, ns, cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespacedConfigMapAsync("f", ns, cancellationToken: Ct);
        var held = await Client.CoreV1.ReadNamespacedConfigMapAsync("f", ns, cancellationToken: Ct);
        Assert.NotNull(held.Metadata.DeletionTimestamp);

        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"metadata":{"finalizers":null}}""", V1Patch.PatchType.MergePatch), "f", ns, cancellationToken: Ct);
        await FailsWith(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedConfigMapAsync("f", ns, cancellationToken: Ct));
    }

    [Fact]
    public async Task Deleting_an_owner_garbage_collects_its_dependents()
    {
        var ns = await NamespaceAsync();
        var owner = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "owner" } }, ns, cancellationToken: Ct);
        var reference = new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid, Controller = true };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "dependent", OwnerReferences = [reference] } }, ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "bystander" } }, ns, cancellationToken: Ct);

        await Client.CoreV1.DeleteNamespacedConfigMapAsync("owner", ns, propagationPolicy: "Background", cancellationToken: Ct);
        await Wait.ForAsync(
            async () => (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct)).Items.Select(c => c.Metadata.Name).ToList(),
            names => !names.Contains("dependent"), "dependent collected", TimeSpan.FromSeconds(60));
        await Client.CoreV1.ReadNamespacedConfigMapAsync("bystander", ns, cancellationToken: Ct);
    }

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
    public async Task Deleting_a_namespace_deletes_its_content()
    {
        var ns = await NamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, ns, cancellationToken: Ct);
        await Client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: Ct);
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Ct);
                return false;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return true;
            }
        }, "namespace deleted", TimeSpan.FromSeconds(90));
        var left = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct);
        Assert.DoesNotContain(left.Items, c => c.Metadata.Name == "c");
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
}

/// <summary>The contract suite against the emulator (always runs).</summary>
public sealed class EmulatorContractTests(EmulatorFixture fixture) : ClusterContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>The same suite against k3s via Testcontainers (skipped with the reason when no Docker engine is reachable).</summary>
public sealed class K3sContractTests(K3sFixture fixture) : ClusterContract<K3sFixture>(fixture), IClassFixture<K3sFixture>;
