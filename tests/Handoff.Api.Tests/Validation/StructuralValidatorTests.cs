using System.Text.Json.Nodes;
using Handoff.Api.Crds.Validation;

namespace Handoff.Api.Tests.Validation;

/// <summary>The validator's rules and words (kube-openapi's and the API server's, 1.35); the contract suite pins the same against a cluster.</summary>
public sealed class StructuralValidatorTests
{
    private static readonly StructuralValidator s_validator = new((JsonObject)JsonNode.Parse("""
        {
          "type": "object",
          "required": ["spec"],
          "properties": {
            "metadata": {"type": "object", "properties": {"name": {"type": "string"}}},
            "spec": {
              "type": "object",
              "required": ["size"],
              "properties": {
                "size": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 2147483647},
                "ratio": {"type": "number", "exclusiveMinimum": true, "minimum": 0, "maximum": 1.5},
                "mode": {"type": "string", "enum": ["A", "B"], "default": "A"},
                "note": {"type": "string", "maxLength": 3, "minLength": 1},
                "code": {"type": "string", "pattern": "^[a-z]+$"},
                "when": {"type": "string", "format": "date-time"},
                "flag": {"type": "boolean"},
                "list": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
                "map": {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {"x-kubernetes-int-or-string": true, "minimum": 0}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "maybe": {"type": "string", "nullable": true},
                "conditions": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"],
                  "items": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}, "status": {"type": "string"}}}},
                "nested": {"type": "object", "properties": {"depth": {"type": "integer", "default": 1}}}
              }
            }
          }
        }
        """)!);

    private static IReadOnlyList<string> Errors(string specJson)
    {
        var obj = (JsonObject)JsonNode.Parse($$"""{"apiVersion":"t/v1","kind":"T","metadata":{"name":"t"},"spec":{{specJson}}}""")!;
        s_validator.ApplyDefaults(obj);
        return [.. s_validator.Validate(obj).Select(e => e.Message)];
    }

    [Theory]
    [InlineData("""{"size":"x"}""", "spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"")]
    [InlineData("""{"size":1.5}""", "spec.size: Invalid value: \"number\": spec.size in body must be of type integer: \"number\"")]
    [InlineData("""{"size":3000000000}""", "spec.size: Invalid value: 3000000000: spec.size in body should be less than or equal to 2147483647")]
    [InlineData("""{"size":-1}""", "spec.size: Invalid value: -1: spec.size in body should be greater than or equal to 0")]
    [InlineData("""{"size":1,"ratio":0}""", "spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0")]
    [InlineData("""{"size":1,"ratio":2.5}""", "spec.ratio: Invalid value: 2.5: spec.ratio in body should be less than or equal to 1.5")]
    [InlineData("""{"size":1,"mode":"C"}""", "spec.mode: Unsupported value: \"C\": supported values: \"A\", \"B\"")]
    [InlineData("""{"size":1,"note":"long"}""", "spec.note: Too long: may not be more than 3 bytes")]
    [InlineData("""{"size":1,"note":""}""", "spec.note: Invalid value: \"\": spec.note in body should be at least 1 chars long")]
    [InlineData("""{"size":1,"code":"A1"}""", "spec.code: Invalid value: \"A1\": spec.code in body should match '^[a-z]+$'")]
    [InlineData("""{"size":1,"when":"yesterday"}""", "spec.when: Invalid value: \"yesterday\": spec.when in body must be of type date-time: \"yesterday\"")]
    [InlineData("""{"size":1,"flag":"yes"}""", "spec.flag: Invalid value: \"string\": spec.flag in body must be of type boolean: \"string\"")]
    [InlineData("""{"size":1,"list":[]}""", "spec.list: Invalid value: 0: spec.list in body should have at least 1 items")]
    [InlineData("""{"size":1,"list":["a","b","c"]}""", "spec.list: Too many: 3: must have at most 2 items")]
    [InlineData("""{"size":1,"list":[1]}""", "spec.list[0]: Invalid value: \"integer\": spec.list[0] in body must be of type string: \"integer\"")]
    [InlineData("""{"size":1,"map":{}}""", "spec.map: Invalid value: 0: spec.map in body should have at least 1 properties")]
    [InlineData("""{"size":1,"map":{"a":1,"b":"2"}}""", "spec.map: Too many: 2: must have at most 1 item")]
    [InlineData("""{"size":1,"map":{"a":0.5}}""", "spec.map.a: Invalid value: \"number\": spec.map.a in body must be of type integer,string: \"number\"")]
    [InlineData("""{"size":1,"map":{"a":-1}}""", "spec.map.a: Invalid value: -1: spec.map.a in body should be greater than or equal to 0")]
    [InlineData("""{"size":1,"conditions":[{"type":"R"},{"type":"R"}]}""", "spec.conditions[1]: Duplicate value: {\"type\":\"R\"}")]
    [InlineData("""{"size":1,"conditions":[{"status":"x"}]}""", "spec.conditions[0].type: Required value")]
    [InlineData("""{}""", "spec.size: Required value")]
    public void Errors_are_worded_as_the_api_server_words_them(string spec, string message) =>
        Assert.Equal(message, Errors(spec)[0]);

    [Fact]
    public void Valid_objects_have_no_errors_and_get_their_defaults()
    {
        var obj = (JsonObject)JsonNode.Parse("""{"metadata":{"name":"t"},"spec":{"size":2147483647,"ratio":1.5,"map":{"a":"5"},"maybe":null,"flag":null,"nested":{},"when":"2026-01-02T03:04:05.5+01:00","free":{"x":{"y":1}}}}""")!;
        s_validator.ApplyDefaults(obj);
        Assert.Empty(s_validator.Validate(obj));
        Assert.Equal("A", (string?)obj["spec"]!["mode"]);
        Assert.Equal(1, (int)obj["spec"]!["nested"]!["depth"]!);
        Assert.True(obj["spec"]!.AsObject().ContainsKey("maybe"));
        Assert.False(obj["spec"]!.AsObject().ContainsKey("flag"));
    }

    [Fact]
    public void Unknown_fields_are_found_and_pruned_outside_preserved_objects()
    {
        var obj = (JsonObject)JsonNode.Parse("""{"metadata":{"name":"t","anything":1},"spec":{"size":1,"bogus":1,"free":{"kept":1},"conditions":[{"type":"R","extra":1}]},"top":1}""")!;
        Assert.Equal(["spec.bogus", "spec.conditions[0].extra", "top"], s_validator.Prune(obj, remove: false).Order(StringComparer.Ordinal));
        s_validator.Prune(obj, remove: true);
        Assert.Equal("""{"metadata":{"name":"t","anything":1},"spec":{"size":1,"free":{"kept":1},"conditions":[{"type":"R"}]}}""", obj.ToJsonString());
    }

    [Fact]
    public void Blocking_errors_stop_the_cel_rules_with_the_api_servers_notice()
    {
        var validator = new StructuralValidator((JsonObject)JsonNode.Parse("""
            {"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.a > 1","message":"a must exceed 1"}],
              "properties":{"a":{"type":"integer"},"b":{"type":"string","enum":["x"]}}}}}
            """)!);
        Assert.Equal(["spec: Invalid value: a must exceed 1"], validator.Validate((JsonObject)JsonNode.Parse("""{"spec":{"a":1}}""")!).Select(e => e.Message));
        Assert.Equal(
            ["spec.b: Unsupported value: \"y\": supported values: \"x\"", "<nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"],
            validator.Validate((JsonObject)JsonNode.Parse("""{"spec":{"a":1,"b":"y"}}""")!).Select(e => e.Message));
    }

    [Fact]
    public void Cel_rules_report_scalars_with_their_value_reasons_field_paths_and_evaluation_errors()
    {
        var validator = new StructuralValidator((JsonObject)JsonNode.Parse("""
            {"type":"object",
             "x-kubernetes-validations":[{"rule":"self.metadata.name.size() <= 3","fieldPath":".metadata.name","message":"short names only"}],
             "properties":{"metadata":{"type":"object","properties":{"name":{"type":"string"}}},
               "spec":{"type":"object","properties":{
                 "n":{"type":"integer","x-kubernetes-validations":[{"rule":"self % 2 == 0"}]},
                 "s":{"type":"string","x-kubernetes-validations":[{"rule":"self != 'x'","reason":"FieldValueForbidden","message":"x is forbidden"}]},
                 "o":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"x-kubernetes-validations":[{"rule":"self.missing == 1"}]},
                 "m":{"type":"integer","x-kubernetes-validations":[{"rule":"self > 5","messageExpression":"'got ' + string(self)"}]}}}}}
            """)!);
        var errors = validator.Validate((JsonObject)JsonNode.Parse("""{"metadata":{"name":"long"},"spec":{"n":3,"s":"x","o":{},"m":1}}""")!).Select(e => e.Message);
        Assert.Equal(
            [
                "metadata.name: Invalid value: short names only",
                "spec.n: Invalid value: 3: failed rule: self % 2 == 0",
                "spec.s: Forbidden: x is forbidden",
                "spec.o: Invalid value: \"object\": no such key: missing evaluating rule: self.missing == 1",
                "spec.m: Invalid value: 1: got 1",
            ],
            errors);
        Assert.Empty(validator.UnsupportedRules);
    }

    [Fact]
    public void Rules_the_evaluator_cannot_parse_are_listed_and_skipped()
    {
        var validator = new StructuralValidator((JsonObject)JsonNode.Parse("""{"type":"object","properties":{"a":{"type":"string","x-kubernetes-validations":[{"rule":"self.?b.orValue('')"}]}}}""")!);
        Assert.Single(validator.UnsupportedRules);
        Assert.Empty(validator.Validate((JsonObject)JsonNode.Parse("""{"a":"x"}""")!));
    }
}
