using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Handoff.Sandbox.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Handoff.Sandbox.Tests.Contract;

/// <summary>
/// The API server's wording of CRD schema errors, pinned for the rule shapes Handoff's CRDs use (int32 bounds,
/// quantities as int-or-string, lengths and counts, enums, list maps, CEL rules on maps, on spec and on the root with
/// a <c>fieldPath</c>). Run against the emulator always and k3s where Docker exists; where the wording changed between
/// Kubernetes versions the expectation follows the server's version (the emulator is 1.35).
/// </summary>
public abstract partial class SchemaContract<TFixture>(TFixture fixture)
    where TFixture : IClusterFixture
{
    private const string Group = "schema.sandbox.test";
    private const string Version = "v1";
    private const string Plural = "gadgets";

    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: gadgets.schema.sandbox.test
        spec:
          group: schema.sandbox.test
          names: {kind: Gadget, listKind: GadgetList, plural: gadgets, singular: gadget}
          scope: Namespaced
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                required: [spec]
                x-kubernetes-validations:
                - rule: self.metadata.name.size() <= 20
                  fieldPath: .metadata.name
                  message: gadget names are at most 20 characters
                properties:
                  metadata:
                    type: object
                    properties:
                      name: {type: string}
                  spec:
                    type: object
                    x-kubernetes-validations:
                    - rule: has(self.mode) && self.mode == 'Auto' || has(self.amounts) && self.amounts.size() > 0
                      message: amounts needs at least one entry unless mode is Auto
                    properties:
                      count: {type: integer, format: int32, minimum: 0, maximum: 2147483647}
                      mode: {type: string, enum: [Manual, Auto], default: Manual}
                      note: {type: string, maxLength: 20}
                      tags: {type: array, minItems: 1, items: {type: string}}
                      amounts:
                        type: object
                        maxProperties: 2
                        x-kubernetes-validations:
                        - rule: self.all(k, k.matches('^[a-z]+$'))
                          message: amount names are lowercase letters
                        additionalProperties:
                          x-kubernetes-int-or-string: true
                          minimum: 0
                          maxLength: 8
                          pattern: '^\+?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$'
                      conditions:
                        type: array
                        x-kubernetes-list-type: map
                        x-kubernetes-list-map-keys: [type]
                        items:
                          type: object
                          required: [type]
                          properties:
                            type: {type: string}
                            status: {type: string}
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Kubernetes Client => fixture.Client;

    /// <summary>The minor version of the server (35 for the emulator).</summary>
    private async Task<int> MinorAsync()
    {
        var version = await Client.Version.GetCodeAsync(Ct);
        return int.Parse(MinorDigits().Match(version.Minor).Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>How the server shows the value of an object or list that failed a CEL rule (omitted since 1.35).</summary>
    private async Task<string> ObjectValueAsync() => await MinorAsync() >= 35 ? "" : "\"object\": ";

    private async Task<string> NamespaceAsync()
    {
        fixture.SkipIfUnavailable();
        await fixture.EnsureCrdAsync(Crd, Group, Version, Plural);
        return await fixture.NewNamespaceAsync();
    }

    private Task<JsonElement> CreateAsync(string ns, string name, object spec) =>
        Client.CustomObjects.CreateNamespacedCustomObjectAsync<JsonElement>(
            new Dictionary<string, object> { ["apiVersion"] = $"{Group}/{Version}", ["kind"] = "Gadget", ["metadata"] = new Dictionary<string, object> { ["name"] = name }, ["spec"] = spec },
            Group, Version, ns, Plural, cancellationToken: Ct);

    private async Task<V1Status> RefusedAsync(string ns, string name, object spec)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => CreateAsync(ns, name, spec));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        return KubernetesJson.Deserialize<V1Status>(e.Response.Content);
    }

    private static Dictionary<string, object> Amounts(params (string Name, object Value)[] amounts) =>
        new() { ["amounts"] = amounts.ToDictionary(a => a.Name, a => a.Value) };

    [Fact]
    public async Task Quantities_are_integers_or_strings_and_defaults_apply()
    {
        var ns = await NamespaceAsync();
        var created = await CreateAsync(ns, "g1", Amounts(("cpu", 8), ("memory", "16Gi")));
        var spec = created.GetProperty("spec");
        Assert.Equal(8, spec.GetProperty("amounts").GetProperty("cpu").GetInt32());
        Assert.Equal("16Gi", spec.GetProperty("amounts").GetProperty("memory").GetString());
        Assert.Equal("Manual", spec.GetProperty("mode").GetString());
    }

    public static TheoryData<string, object, string> Refusals => new()
    {
        { "int32 bound", new Dictionary<string, object> { ["count"] = 3000000000L, ["mode"] = "Auto" }, "Gadget.schema.sandbox.test \"g\" is invalid: spec.count: Invalid value: 3000000000: spec.count in body should be less than or equal to 2147483647" },
        { "negative integer", new Dictionary<string, object> { ["count"] = -1, ["mode"] = "Auto" }, "Gadget.schema.sandbox.test \"g\" is invalid: spec.count: Invalid value: -1: spec.count in body should be greater than or equal to 0" },
        { "negative quantity", Amounts(("cpu", -1)), "Gadget.schema.sandbox.test \"g\" is invalid: spec.amounts.cpu: Invalid value: -1: spec.amounts.cpu in body should be greater than or equal to 0" },
        { "signed quantity string", Amounts(("cpu", "-1")), "Gadget.schema.sandbox.test \"g\" is invalid: spec.amounts.cpu: Invalid value: \"-1\": spec.amounts.cpu in body should match '^\\+?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'" },
        { "too few items", new Dictionary<string, object> { ["mode"] = "Auto", ["tags"] = Array.Empty<string>() }, "Gadget.schema.sandbox.test \"g\" is invalid: spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items" },
        { "duplicate list map key", new Dictionary<string, object> { ["mode"] = "Auto", ["conditions"] = new[] { new Dictionary<string, object> { ["type"] = "Ready" }, new Dictionary<string, object> { ["type"] = "Ready", ["status"] = "x" } } }, "Gadget.schema.sandbox.test \"g\" is invalid: spec.conditions[1]: Duplicate value: {\"type\":\"Ready\"}" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Schema_errors_have_the_api_servers_words(string what, object spec, string message)
    {
        var ns = await NamespaceAsync();
        var status = await RefusedAsync(ns, "g", spec);
        Assert.True(message == status.Message, $"{what}:\n  expected: {message}\n  actual:   {status.Message}");
    }

    [Fact]
    public async Task Blocking_errors_name_the_expected_type_and_stop_the_cel_rules()
    {
        var ns = await NamespaceAsync();
        const string Blocked = "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

        var type = await RefusedAsync(ns, "g", new Dictionary<string, object> { ["count"] = "many" });
        Assert.Equal($"Gadget.schema.sandbox.test \"g\" is invalid: [spec.count: Invalid value: \"string\": spec.count in body must be of type integer: \"string\", {Blocked}]", type.Message);
        Assert.Equal("FieldValueTypeInvalid", type.Details.Causes[0].Reason);

        var item = await RefusedAsync(ns, "g", new Dictionary<string, object> { ["mode"] = "Auto", ["tags"] = new object[] { "a", true } });
        Assert.Equal($"Gadget.schema.sandbox.test \"g\" is invalid: [spec.tags[1]: Invalid value: \"boolean\": spec.tags[1] in body must be of type string: \"boolean\", {Blocked}]", item.Message);
        Assert.Equal("spec.tags[1]", item.Details.Causes[0].Field);

        var fraction = await RefusedAsync(ns, "g", Amounts(("cpu", 0.5)));
        Assert.Equal($"Gadget.schema.sandbox.test \"g\" is invalid: [spec.amounts.cpu: Invalid value: \"number\": spec.amounts.cpu in body must be of type integer,string: \"number\", {Blocked}]", fraction.Message);

        var enumValue = await RefusedAsync(ns, "g", new Dictionary<string, object> { ["mode"] = "Sometimes" });
        Assert.Equal($"Gadget.schema.sandbox.test \"g\" is invalid: [spec.mode: Unsupported value: \"Sometimes\": supported values: \"Manual\", \"Auto\", {Blocked}]", enumValue.Message);

        var minor = await MinorAsync();
        var tooLong = await RefusedAsync(ns, "g", new Dictionary<string, object> { ["mode"] = "Auto", ["note"] = new string('x', 21) });
        var tooLongText = minor >= 32 ? "may not be more than 20 bytes" : "may not be longer than 20";
        Assert.Equal($"Gadget.schema.sandbox.test \"g\" is invalid: [spec.note: Too long: {tooLongText}, {Blocked}]", tooLong.Message);

        var tooMany = await RefusedAsync(ns, "g", Amounts(("a", 1), ("b", 1), ("c", 1)));
        Assert.Equal($"Gadget.schema.sandbox.test \"g\" is invalid: [spec.amounts: Too many: 3: must have at most 2 items, {Blocked}]", tooMany.Message);
    }

    [Fact]
    public async Task Cel_rules_on_maps_on_spec_and_on_the_root_with_a_field_path()
    {
        var ns = await NamespaceAsync();
        var objectValue = await ObjectValueAsync();

        var key = await RefusedAsync(ns, "g", Amounts(("Big", 1)));
        Assert.Equal($"Gadget.schema.sandbox.test \"g\" is invalid: spec.amounts: Invalid value: {objectValue}amount names are lowercase letters", key.Message);

        var spec = await RefusedAsync(ns, "g", new Dictionary<string, object> { ["count"] = 1 });
        Assert.Equal($"Gadget.schema.sandbox.test \"g\" is invalid: spec: Invalid value: {objectValue}amounts needs at least one entry unless mode is Auto", spec.Message);

        var name = new string('n', 21);
        var root = await RefusedAsync(ns, name, new Dictionary<string, object> { ["mode"] = "Auto" });
        Assert.Equal($"Gadget.schema.sandbox.test \"{name}\" is invalid: metadata.name: Invalid value: {objectValue}gadget names are at most 20 characters", root.Message);
        Assert.Equal("metadata.name", Assert.Single(root.Details.Causes).Field);
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex MinorDigits();
}

/// <summary>The schema contract against the emulator (always runs).</summary>
public sealed class EmulatorSchemaContractTests(EmulatorFixture fixture) : SchemaContract<EmulatorFixture>(fixture), IClassFixture<EmulatorFixture>;

/// <summary>The same against k3s via Testcontainers (skipped with the reason when no Docker engine is reachable).</summary>
public sealed class K3sSchemaContractTests(K3sFixture fixture) : SchemaContract<K3sFixture>(fixture), IClassFixture<K3sFixture>;
