using System.Text.Json.Nodes;
using Handoff.Api.Crds;

namespace Handoff.Api.Tests.Crds;

/// <summary>The CRD schemas obey the API server's structural-schema rules, and the checker catches what it forbids.</summary>
public sealed class StructuralSchemaTests
{
    public static TheoryData<string> Files => [CrdSchemas.NodeFile, CrdSchemas.FunctionFile, CrdSchemas.QueueFile];

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
            var intOrString = node["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
            Assert.True(preserve || intOrString || node["type"] is JsonValue, $"{path} has no single type: {node.ToJsonString()}");
            if (node["type"]?.GetValue<string>() == "integer")
            {
                // Every integer is bounded by what the typed models hold (no poison pills).
                Assert.True(node["minimum"] is not null, $"{path}: an integer without a minimum");
                Assert.True(node["format"]?.GetValue<string>() == "int64" || node["maximum"] is not null, $"{path}: an int32 without a maximum");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Schema_requires_spec_and_keeps_metadata_to_the_api_server(string file)
    {
        var schema = CrdSchemas.OpenApiSchema(file);
        Assert.Equal(["spec"], schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        var metadata = schema["properties"]!["metadata"]!.ToJsonString();
        Assert.Equal(file == CrdSchemas.FunctionFile ? """{"properties":{"name":{"type":"string"}},"type":"object"}""" : """{"type":"object"}""", metadata);
    }

    [Fact]
    public void Function_names_are_limited_to_63_characters_by_a_rule_on_metadata_name()
    {
        var rule = Assert.Single(CrdSchemas.OpenApiSchema(CrdSchemas.FunctionFile)["x-kubernetes-validations"]!.AsArray())!;
        Assert.Equal("self.metadata.name.size() <= 63", rule["rule"]!.GetValue<string>());
        Assert.Equal(".metadata.name", rule["fieldPath"]!.GetValue<string>());
    }

    [Fact]
    public void Pod_template_is_checked_as_far_as_a_structural_schema_allows()
    {
        var template = CrdSchemas.OpenApiSchema(CrdSchemas.FunctionFile)["properties"]!["spec"]!["properties"]!["template"]!.AsObject();
        Assert.Equal("object", template["type"]!.GetValue<string>());
        var spec = template["properties"]!["spec"]!.AsObject();
        Assert.True(spec["x-kubernetes-preserve-unknown-fields"]!.GetValue<bool>());
        Assert.Equal(["containers"], spec["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        var containers = spec["properties"]!["containers"]!.AsObject();
        Assert.Equal(1, containers["minItems"]!.GetValue<int>());
        Assert.Equal(["name", "image"], containers["items"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.True(containers["items"]!["x-kubernetes-preserve-unknown-fields"]!.GetValue<bool>());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Resource_maps_take_integers_or_quantity_strings_and_check_names_with_a_cel_rule(string file)
    {
        var maps = Walk(CrdSchemas.OpenApiSchema(file), "$").Where(n => n.Node["additionalProperties"]?["x-kubernetes-int-or-string"] is not null).ToList();
        Assert.NotEmpty(maps);
        foreach (var (path, map) in maps)
        {
            var rule = Assert.Single(map["x-kubernetes-validations"]!.AsArray())!["rule"]!.GetValue<string>();
            Assert.Equal(CrdPatterns.ResourceName, CelKeyRule.Parse(rule));
            var values = map["additionalProperties"]!;
            Assert.True(values["x-kubernetes-int-or-string"]!.GetValue<bool>(), path);
            Assert.Equal(CrdPatterns.Quantity, values["pattern"]!.GetValue<string>());
            Assert.Equal(0, values["minimum"]!.GetValue<double>());
            Assert.Equal(CrdPatterns.MaxResources, map["maxProperties"]!.GetValue<int>());
        }
    }

    public static TheoryData<string, string> NonStructural => new()
    {
        { """{"type":"object","properties":{"spec":{"$ref":"#/definitions/Spec"}}}""", "'$ref'" },
        { """{"type":"object","properties":{"spec":{"type":["object","null"]}}}""", "type must be one of" },
        { """{"type":"object","properties":{"spec":{"properties":{}}}}""", "no type" },
        { """{"type":"object","properties":{"m":{"type":"object","propertyNames":{"pattern":"^a$"},"additionalProperties":{"type":"string"}}}}""", "'propertyNames'" },
        { """{"type":"object","properties":{"m":{"type":"object","properties":{},"additionalProperties":{"type":"string"}}}}""", "mutually exclusive" },
        { """{"type":"object","properties":{"metadata":{"type":"object","properties":{"labels":{"type":"object"}}}}}""", "metadata" },
        { """{"type":"object","properties":{"metadata":{"type":"object","description":"x"}}}""", "metadata" },
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
