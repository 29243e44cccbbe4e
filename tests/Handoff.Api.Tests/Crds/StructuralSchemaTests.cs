using System.Text.Json.Nodes;
using Handoff.Api.Crds;

namespace Handoff.Api.Tests.Crds;

/// <summary>The CRD schemas obey the API server's structural-schema rules, and the checker catches what it forbids.</summary>
public sealed class StructuralSchemaTests
{
    public static TheoryData<string> Files => [CrdSchemas.NodeFile, CrdSchemas.FunctionFile];

    [Theory]
    [MemberData(nameof(Files))]
    public void Schema_in_the_file_is_structural(string file)
    {
        var schema = CrdSchemas.OpenApiSchema(file);
        Assert.Empty(StructuralSchema.Check(schema));

        // Independently of the checker: walk every node.
        foreach (var (path, node) in Walk(schema, "$"))
        {
            foreach (var forbidden in new[] { "$ref", "$schema", "definitions", "anyOf", "allOf", "oneOf", "not", "propertyNames", "patternProperties", "const" })
            {
                Assert.False(node.ContainsKey(forbidden), $"{path} has '{forbidden}'");
            }

            var preserve = node["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true;
            Assert.True(preserve || node["type"] is JsonValue, $"{path} has no single type: {node.ToJsonString()}");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Schema_requires_spec_and_keeps_metadata_to_the_api_server(string file)
    {
        var schema = CrdSchemas.OpenApiSchema(file);
        Assert.Equal(["spec"], schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("""{"type":"object"}""", schema["properties"]!["metadata"]!.ToJsonString());
    }

    [Fact]
    public void Pod_template_is_preserved_not_inlined()
    {
        var template = CrdSchemas.OpenApiSchema(CrdSchemas.FunctionFile)["properties"]!["spec"]!["properties"]!["template"]!.AsObject();
        Assert.Equal("object", template["type"]!.GetValue<string>());
        Assert.True(template["x-kubernetes-preserve-unknown-fields"]!.GetValue<bool>());
        Assert.False(template.ContainsKey("properties"));
    }

    [Fact]
    public void Resource_maps_validate_keys_with_a_cel_rule_and_values_with_the_quantity_pattern()
    {
        var capacity = CrdSchemas.OpenApiSchema(CrdSchemas.NodeFile)["properties"]!["spec"]!["properties"]!["capacity"]!.AsObject();
        var rule = Assert.Single(capacity["x-kubernetes-validations"]!.AsArray())!["rule"]!.GetValue<string>();
        Assert.Equal(CrdPatterns.ResourceName, CelKeyRule.Parse(rule));
        Assert.Equal(CrdPatterns.Quantity, capacity["additionalProperties"]!["pattern"]!.GetValue<string>());
        Assert.Equal(1, capacity["minProperties"]!.GetValue<long>());
        Assert.NotNull(capacity["maxProperties"]);
    }

    public static TheoryData<string, string> NonStructural => new()
    {
        { """{"type":"object","properties":{"spec":{"$ref":"#/definitions/Spec"}}}""", "'$ref'" },
        { """{"type":"object","properties":{"spec":{"type":["object","null"]}}}""", "type must be one of" },
        { """{"type":"object","properties":{"spec":{"properties":{}}}}""", "no type" },
        { """{"type":"object","properties":{"m":{"type":"object","propertyNames":{"pattern":"^a$"},"additionalProperties":{"type":"string"}}}}""", "'propertyNames'" },
        { """{"type":"object","properties":{"m":{"type":"object","properties":{},"additionalProperties":{"type":"string"}}}}""", "mutually exclusive" },
        { """{"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string"}}}}}""", "metadata" },
        { """{"type":"object","properties":{"c":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["type"],"items":{"type":"object","properties":{"type":{"type":"string"}}}}}}""", "list-map key" },
        { """{"type":"object","properties":{"a":{"type":"array"}}}""", "needs items" },
        { """{"type":"object","properties":{"x":{"anyOf":[{"type":"integer"},{"type":"string"}]}}}""", "'anyOf'" },
        { """{"type":"object","required":["spec"],"properties":{}}""", "required property 'spec'" },
    };

    [Theory]
    [MemberData(nameof(NonStructural))]
    public void Checker_reports_what_the_api_server_would_reject(string schema, string expected)
    {
        var problems = StructuralSchema.Check(JsonNode.Parse(schema));
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    private static IEnumerable<(string Path, JsonObject Node)> Walk(JsonObject node, string path)
    {
        yield return (path, node);
        if (node["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                foreach (var x in Walk(child!.AsObject(), $"{path}.{name}"))
                {
                    yield return x;
                }
            }
        }

        foreach (var key in new[] { "items", "additionalProperties" })
        {
            if (node[key] is JsonObject child)
            {
                foreach (var x in Walk(child, $"{path}.{key}"))
                {
                    yield return x;
                }
            }
        }
    }
}
