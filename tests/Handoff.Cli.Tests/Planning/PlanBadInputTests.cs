using static Handoff.Cli.Tests.Planning.PlanHarness;

namespace Handoff.Cli.Tests.Planning;

public sealed class PlanBadInputTests
{
    private const string Node = """
        apiVersion: handoff.dev/v1alpha1
        kind: HandoffNode
        metadata: {name: n1}
        spec: {capacity: {cpu: "4"}}
        """;

    private static (int Exit, string Output, string Error) PlanText(string yaml, string name = "bad.yaml")
    {
        using var dir = new TempManifests();
        var path = dir.Write(name, yaml);
        var result = Run("-f", path, "-o", "json");
        return (result.Exit, result.Output, result.Error.Replace(path, name, StringComparison.Ordinal));
    }

    [Fact]
    public void Malformed_yaml_names_file_and_line()
    {
        var (exit, output, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: x\nspec: [\n");
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith("error: bad.yaml:", error, StringComparison.Ordinal);
        Assert.Contains("malformed YAML", error, StringComparison.Ordinal);
        var line = int.Parse(error.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(line, 6, 9);
    }

    [Fact]
    public void Unknown_kind_is_an_error()
    {
        var (exit, _, error) = PlanText(Node + "\n---\n# a config map\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
        Assert.Equal(1, exit);
        Assert.Equal("error: bad.yaml:7: unknown kind \"ConfigMap\" (apiVersion \"v1\"): expected handoff.dev/v1alpha1 HandoffNode or HandoffFunction" + Environment.NewLine, error);
    }

    [Fact]
    public void Missing_kind_is_an_error()
    {
        var (exit, _, error) = PlanText("metadata: {name: c}\n");
        Assert.Equal(1, exit);
        Assert.Contains("bad.yaml:1: not a Kubernetes object: apiVersion and kind are required", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_quantity_names_file_object_and_field()
    {
        var (exit, _, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: transform, namespace: default}\nspec: {cost: {cpu: abc}}\n");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: bad.yaml:6: HandoffFunction default/transform: spec.cost[cpu]: invalid quantity \"abc\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_cost_is_an_error()
    {
        var (exit, _, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: neg}\nspec: {cost: {memory: \"-100\"}}\n");
        Assert.Equal(1, exit);
        Assert.Contains("HandoffFunction default/neg: spec.cost[memory]: quantity \"-100\" must not be negative", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_node_capacity_and_resource_name_are_errors()
    {
        var (exit, _, error) = PlanText("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n1}\nspec: {capacity: {\"bad name\": \"1\"}}\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n2}\nspec: {capacity: {}}\n");
        Assert.Equal(1, exit);
        Assert.Contains("bad.yaml:1: HandoffNode n1: spec.capacity[bad name]: invalid resource name \"bad name\"", error, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:6: HandoffNode n2: spec.capacity: Required value: at least one resource", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_arg_prints_the_plan_with_Waiting_and_exits_non_zero_naming_the_arg()
    {
        var (exit, output, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: consumer}\nspec: {args: [ghost]}\n");
        Assert.Equal(1, exit);
        var f = Function(ParseJson(output), "consumer");
        Assert.Equal("Waiting", f.GetProperty("phase").GetString());
        Assert.Equal("unknown args (no such HandoffFunction in this namespace): ghost", f.GetProperty("message").GetString());
        Assert.Equal("error: bad.yaml:6: HandoffFunction default/consumer: spec.args: unknown function(s) \"ghost\" in namespace \"default\"" + Environment.NewLine, error);
    }

    [Fact]
    public void Cycle_prints_the_plan_with_DependencyCycle_and_exits_non_zero_with_the_path()
    {
        var fn = (string name, string arg) => $"\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {{name: {name}}}\nspec: {{args: [{arg}]}}\n";
        var (exit, output, error) = PlanText(Node + fn("a", "b") + fn("b", "c") + fn("c", "a"));
        Assert.Equal(1, exit);
        var a = Function(ParseJson(output), "a");
        Assert.Equal("Failed", a.GetProperty("phase").GetString());
        Assert.Equal("dependency cycle: a -> b -> c -> a", a.GetProperty("message").GetString());
        Assert.Contains("spec.args: DependencyCycle: default/a -> default/b -> default/c -> default/a", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_names_are_errors_naming_both_places()
    {
        var fn = "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: twin}\n";
        var (exit, output, error) = PlanText(Node + "\n---\n" + Node + fn + fn);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("bad.yaml:6: HandoffNode n1: metadata.name: Duplicate value: \"n1\" (already defined at bad.yaml:1)", error, StringComparison.Ordinal);
        Assert.Contains("HandoffFunction default/twin: metadata.name: Duplicate value: \"twin\" in namespace \"default\" (already defined at bad.yaml:11)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_name_in_different_namespaces_is_fine()
    {
        var (exit, _, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f, namespace: a}\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f, namespace: b}\n");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
    }

    [Fact]
    public void Unknown_field_is_an_error_as_with_strict_kubectl_validation()
    {
        var (exit, _, error) = PlanText("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n1}\nspec:\n  capacty: {cpu: \"4\"}\n");
        Assert.Equal(1, exit);
        Assert.Contains("bad.yaml:5: HandoffNode n1: Property 'capacty' not found", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_field_type_is_an_error()
    {
        var (exit, _, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f}\nspec: {maxRetries: lots}\n");
        Assert.Equal(1, exit);
        Assert.Contains("bad.yaml:", error, StringComparison.Ordinal);
        Assert.Contains("HandoffFunction f", error, StringComparison.Ordinal);
        Assert.Contains("lots", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spec: {strategy: Fastest}", "spec.strategy: Unsupported value: \"Fastest\": supported values: \"FirstAvailable\", \"LoadBalanced\", \"BestFit\"")]
    [InlineData("spec: {maxRetries: -1}", "spec.maxRetries: Invalid value: -1: must be greater than or equal to 0")]
    [InlineData("spec: {args: [Bad_Name]}", "spec.args[0]: Invalid value: \"Bad_Name\"")]
    [InlineData("metadata: {annotations: {handoff.dev/duration: soon}}", "metadata.annotations[handoff.dev/duration]: invalid duration \"soon\"")]
    [InlineData("metadata: {annotations: {handoff.dev/outcome: Maybe}}", "metadata.annotations[handoff.dev/outcome]: Unsupported value: \"Maybe\"")]
    public void Invalid_function_fields_are_errors(string extra, string expected)
    {
        var doc = "apiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\n" + (extra.StartsWith("metadata", StringComparison.Ordinal)
            ? extra.Replace("metadata: {", "metadata: {name: f, ", StringComparison.Ordinal)
            : "metadata: {name: f}\n" + extra) + "\n";
        var (exit, output, error) = PlanText(Node + "\n---\n" + doc);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("HandoffFunction default/f: " + expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_path_is_an_error()
    {
        var (exit, _, error) = Run("-f", "/no/such/dir", "-o", "json");
        Assert.Equal(1, exit);
        Assert.Equal("error: /no/such/dir: no such file or directory" + Environment.NewLine, error);
    }

    [Fact]
    public void Directory_without_manifests_is_an_error()
    {
        using var dir = new TempManifests();
        dir.Write("notes.txt", "hello");
        var (exit, _, error) = Run("-f", dir.Root);
        Assert.Equal(1, exit);
        Assert.Contains("no *.yaml or *.yml files", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_in_several_files_are_all_reported()
    {
        using var dir = new TempManifests();
        dir.Write("a.yaml", "apiVersion: v1\nkind: Pod\n");
        dir.Write("b/c.yml", "apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n}\nspec: {capacity: {cpu: x}}\n");
        var (exit, _, error) = Run("-f", dir.Root);
        Assert.Equal(1, exit);
        Assert.Contains("a.yaml:1: unknown kind \"Pod\"", error, StringComparison.Ordinal);
        Assert.Contains("c.yml:1: HandoffNode n: spec.capacity[cpu]: invalid quantity \"x\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--strategy", "Random")]
    [InlineData("--output", "xml")]
    public void Invalid_options_are_rejected(string option, string value)
    {
        var (exit, _, error) = Run("-f", Examples, option, value);
        Assert.NotEqual(0, exit);
        Assert.Contains(value, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Filename_is_required()
    {
        var (exit, _, error) = Run();
        Assert.NotEqual(0, exit);
        Assert.Contains("--filename", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_and_comment_only_documents_are_skipped()
    {
        var (exit, output, _) = PlanText("---\n# nothing\n---\n" + Node + "\n---\n\n---\n");
        Assert.Equal(0, exit);
        Assert.Equal("n1", ParseJson(output).GetProperty("nodes")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void List_kinds_yield_their_items()
    {
        var (exit, output, _) = PlanText("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNodeList\nitems:\n- apiVersion: handoff.dev/v1alpha1\n  kind: HandoffNode\n  metadata: {name: l1}\n  spec: {capacity: {cpu: \"1\"}}\n");
        Assert.Equal(0, exit);
        Assert.Equal("l1", ParseJson(output).GetProperty("nodes")[0].GetProperty("name").GetString());
    }
}
