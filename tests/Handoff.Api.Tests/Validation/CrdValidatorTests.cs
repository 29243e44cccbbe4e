using Handoff.Api.Crds.Validation;
using Handoff.Api.Manifests;
using Handoff.Testing;

namespace Handoff.Api.Tests.Validation;

/// <summary><c>handoff plan</c>'s schema check: the generated CRDs, the API server's words, the manifest's lines.</summary>
public sealed class CrdValidatorTests
{
    private static CrdValidation Validate(string yaml) => CrdValidator.Validate(Assert.Single(ManifestReader.Read(yaml, "f.yaml")));

    [Fact]
    public void Every_handoff_object_in_the_examples_is_valid()
    {
        var objects = ManifestPaths.Expand([RepoPaths.Examples]).SelectMany(f => ManifestReader.Read(f, TextReader.Null)).Where(CrdValidator.IsHandoffKind).ToList();
        Assert.NotEmpty(objects);
        Assert.All(objects, o => Assert.Empty(CrdValidator.Validate(o).Errors));
    }

    [Fact]
    public void Errors_name_file_line_object_and_field_in_the_api_servers_words()
    {
        var result = Validate("""
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffFunction
            metadata:
              name: f
              namespace: team
            spec:
              maxRetries: -1
              args: [Bad_Name]
            """);
        Assert.Null(result.Defaulted);
        Assert.Equal(
            [
                "f.yaml:8: HandoffFunction team/f: spec.args[0]: Invalid value: \"Bad_Name\": spec.args[0] in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'",
                "f.yaml:7: HandoffFunction team/f: spec.maxRetries: Invalid value: -1: spec.maxRetries in body should be greater than or equal to 0",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Unknown_fields_and_a_missing_name_are_refused_as_with_strict_field_validation()
    {
        Assert.Equal(["f.yaml:5: HandoffNode n1: unknown field \"spec.capacty\""],
            Validate("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n1}\nspec:\n  capacty: {cpu: \"1\"}\n").Errors.Select(e => e.ToString()));
        Assert.Equal(["f.yaml:1: HandoffNode <unnamed>: metadata.name: Required value: name or generateName is required"],
            Validate("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nspec: {capacity: {cpu: \"1\"}}\n").Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_valid_object_comes_back_as_the_api_server_stores_it()
    {
        var result = Validate("apiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f}\nspec: {args: [a]}\n");
        Assert.Empty(result.Errors);
        Assert.Equal(3L, (long)result.Defaulted!.Json["spec"]!["maxRetries"]!);
        Assert.Equal(4, result.Defaulted.Lines.Of("spec.args[0]"));
    }

    [Fact]
    public void Other_kinds_are_not_handoffs()
    {
        var pod = Assert.Single(ManifestReader.Read("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", "p.yaml"));
        Assert.False(CrdValidator.IsHandoffKind(pod));
        Assert.Throws<ArgumentException>(() => CrdValidator.Validate(pod));
    }
}
