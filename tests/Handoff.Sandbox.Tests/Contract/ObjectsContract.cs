using System.Net;
using System.Text.Json;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>Writes: metadata set on create, 404/409 errors, optimistic concurrency, generation and the status subresource, schema validation, fieldValidation, namespaces and generateName, patches.</summary>
public abstract class ObjectsContract<TFixture>(TFixture fixture) : ContractTest<TFixture>(fixture)
    where TFixture : IClusterFixture
{
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

        // A missing required field blocks the CRD's CEL rules, which the API server says with a second, field-less cause.
        var missing = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CreateAsync(ns, Widgets.New("w2", null)));
        Assert.Equal(["spec.size", "<nil>"], missing.Details.Causes.Select(c => c.Field));
        Assert.Equal(
            "Widget.sandbox.test \"w2\" is invalid: [spec.size: Required value, <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]",
            missing.Message);

        var badEnum = await FailsWith(HttpStatusCode.UnprocessableEntity, () => Client.CreateAsync(ns, new Dictionary<string, object>
        {
            ["apiVersion"] = "sandbox.test/v1",
            ["kind"] = "Widget",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "w3" },
            ["spec"] = new Dictionary<string, object> { ["size"] = "x", ["color"] = "pink" },
        }));
        Assert.Equal(["<nil>", "spec.color", "spec.size"], badEnum.Details.Causes.Select(c => c.Field).Order(StringComparer.Ordinal));
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
        await Wait.UntilAsync(async () => (await Client.CoreV1.ListNamespacedServiceAccountAsync(ns, cancellationToken: Ct)).Items.Select(a => a.Metadata.Name).ToList(),
            names => names.Contains("default"), TimeSpan.FromSeconds(30), "default service account");
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
    public async Task A_patch_carrying_a_stale_resourceVersion_is_409_Conflict_for_the_object_and_its_status()
    {
        var ns = await NamespaceAsync(withCrd: true);
        var created = await Client.CreateAsync(ns, Widgets.New("w1", 1));
        var stale = created.Metadata.ResourceVersion;
        var current = await Client.PatchAsync(ns, "w1", """{"spec":{"size":2}}""");
        const string Message = "Operation cannot be fulfilled on widgets.sandbox.test \"w1\": the object has been modified; please apply your changes to the latest version and try again";

        var merge = await FailsWith(HttpStatusCode.Conflict, () => Client.PatchAsync(ns, "w1", $$$"""{"metadata":{"resourceVersion":"{{{stale}}}"},"spec":{"size":3}}"""));
        Assert.Equal(("Conflict", Message), (merge.Reason, merge.Message));
        var json = await FailsWith(HttpStatusCode.Conflict, () => Client.PatchAsync(ns, "w1", $$$"""[{"op":"replace","path":"/metadata/resourceVersion","value":"{{{stale}}}"},{"op":"replace","path":"/spec/size","value":3}]""", V1Patch.PatchType.JsonPatch));
        Assert.Equal(Message, json.Message);
        var status = await FailsWith(HttpStatusCode.Conflict, () => Client.PatchStatusAsync(ns, "w1", $$$"""{"metadata":{"resourceVersion":"{{{stale}}}"},"status":{"phase":"Stale"}}"""));
        Assert.Equal(Message, status.Message);

        // With the current version, or none, the patch applies.
        var applied = await Client.PatchAsync(ns, "w1", $$$"""{"metadata":{"resourceVersion":"{{{current.Metadata.ResourceVersion}}}"},"spec":{"size":4}}""");
        Assert.Equal(4, applied.Spec!.Size);
        Assert.Equal("Ready", (await Client.PatchStatusAsync(ns, "w1", $$$"""{"metadata":{"resourceVersion":"{{{applied.Metadata.ResourceVersion}}}"},"status":{"phase":"Ready"}}""")).Status!.Phase);

        // Strategic merge patches of built-in kinds too.
        var cm = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c1" } }, ns, cancellationToken: Ct);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":"1"}}""", V1Patch.PatchType.StrategicMergePatch), "c1", ns, cancellationToken: Ct);
        var smp = await FailsWith(HttpStatusCode.Conflict, () => Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"metadata":{"resourceVersion":"{{{cm.Metadata.ResourceVersion}}}"},"data":{"a":"2"}}""", V1Patch.PatchType.StrategicMergePatch), "c1", ns, cancellationToken: Ct));
        Assert.Equal("Operation cannot be fulfilled on configmaps \"c1\": the object has been modified; please apply your changes to the latest version and try again", smp.Message);
    }
}

/// <summary>Against the emulator.</summary>
public sealed class EmulatorObjectsContractTests(EmulatorFixture fixture) : ObjectsContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>Against k3s (skipped with the reason when no Docker engine is reachable).</summary>
[Collection(K3sCluster.Name)]
public sealed class K3sObjectsContractTests(K3sFixture fixture) : ObjectsContract<K3sFixture>(fixture);
