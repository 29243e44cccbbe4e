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
        Assert.StartsWith("error: bad.yaml:7: unknown kind \"ConfigMap\" (apiVersion \"v1\"): expected one of handoff.dev/v1alpha1 HandoffNode, handoff.dev/v1alpha1 HandoffFunction, ", error, StringComparison.Ordinal);
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
        Assert.StartsWith("error: bad.yaml:9: HandoffFunction default/transform: spec.cost.cpu: Invalid value: \"abc\": spec.cost.cpu in body should match '^", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_cost_is_an_error()
    {
        var (exit, _, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: neg}\nspec: {cost: {memory: \"-100\"}}\n");
        Assert.Equal(1, exit);
        Assert.Contains("HandoffFunction default/neg: spec.cost.memory: Invalid value: \"-100\": spec.cost.memory in body should match '^", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_node_capacity_and_resource_name_are_errors()
    {
        var (exit, _, error) = PlanText("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n1}\nspec: {capacity: {\"bad name\": \"1\"}}\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n2}\nspec: {capacity: {}}\n");
        Assert.Equal(1, exit);
        Assert.Contains("bad.yaml:4: HandoffNode n1: spec.capacity: Invalid value: resource names are an optional DNS-subdomain prefix", error, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:9: HandoffNode n2: spec: Invalid value: capacity needs at least one resource unless capacityFrom is Node", error, StringComparison.Ordinal);
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
        var fn = "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: twin}\nspec: {}\n";
        var (exit, output, error) = PlanText(Node + "\n---\n" + Node + fn + fn);
        Assert.Equal(1, exit);
        AssertPlannedWithout(output, ["twin"], ["twin"]);
        Assert.Contains("bad.yaml:6: HandoffNode n1: metadata.name: Duplicate value: \"n1\" (already defined at bad.yaml:1)", error, StringComparison.Ordinal);
        Assert.Contains("HandoffFunction default/twin: metadata.name: Duplicate value: \"twin\" in namespace \"default\" (already defined at bad.yaml:11)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_name_in_different_namespaces_is_fine()
    {
        var (exit, _, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f, namespace: a}\nspec: {}\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f, namespace: b}\nspec: {}\n");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
    }

    [Fact]
    public void Unknown_field_is_an_error_as_with_strict_kubectl_validation()
    {
        var (exit, _, error) = PlanText("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n1}\nspec:\n  capacty: {cpu: \"4\"}\n");
        Assert.Equal(1, exit);
        Assert.Contains("bad.yaml:5: HandoffNode n1: unknown field \"spec.capacty\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_field_type_is_an_error()
    {
        var (exit, _, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f}\nspec: {maxRetries: lots}\n");
        Assert.Equal(1, exit);
        Assert.Contains("bad.yaml:", error, StringComparison.Ordinal);
        Assert.Contains("HandoffFunction default/f", error, StringComparison.Ordinal);
        Assert.Contains("spec.maxRetries: Invalid value: \"string\": spec.maxRetries in body must be of type integer: \"string\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spec: {strategy: Fastest}", "spec.strategy: Unsupported value: \"Fastest\": supported values: \"FirstAvailable\", \"LoadBalanced\", \"BestFit\"")]
    [InlineData("spec: {maxRetries: -1}", "spec.maxRetries: Invalid value: -1: spec.maxRetries in body should be greater than or equal to 0")]
    [InlineData("spec: {args: [Bad_Name]}", "spec.args[0]: Invalid value: \"Bad_Name\"")]
    [InlineData("metadata: {annotations: {handoff.dev/duration: soon}}", "metadata.annotations[handoff.dev/duration]: invalid duration \"soon\"")]
    [InlineData("metadata: {annotations: {handoff.dev/outcome: Maybe}}", "metadata.annotations[handoff.dev/outcome]: Unsupported value: \"Maybe\"")]
    public void Invalid_function_fields_are_errors(string extra, string expected)
    {
        var doc = "apiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\n" + (extra.StartsWith("metadata", StringComparison.Ordinal)
            ? extra.Replace("metadata: {", "metadata: {name: f, ", StringComparison.Ordinal) + "\nspec: {}"
            : "metadata: {name: f}\n" + extra) + "\n";
        var (exit, output, error) = PlanText(Node + "\n---\n" + doc);
        Assert.Equal(1, exit);
        AssertPlannedWithout(output, ["f"], []);
        Assert.Contains("HandoffFunction default/f: " + expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_path_is_an_error()
    {
        var (exit, _, error) = Run("-f", "/no/such/dir", "-o", "json");
        Assert.Equal(1, exit);
        Assert.Equal("error: the path \"/no/such/dir\" does not exist" + Environment.NewLine, error);
    }

    [Fact]
    public void Directory_without_manifests_is_an_error()
    {
        using var dir = new TempManifests();
        dir.Write("notes.txt", "hello");
        var (exit, _, error) = Run("-f", dir.Root);
        Assert.Equal(1, exit);
        Assert.Contains("no .yaml, .yml or .json files", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_in_several_files_are_all_reported()
    {
        using var dir = new TempManifests();
        dir.Write("a.yaml", "apiVersion: v1\nkind: ConfigMap\n");
        dir.Write("b/c.yml", "apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n1}\nspec: {capacity: {cpu: x}}\n");
        var (exit, _, error) = Run("-f", dir.Root);
        Assert.Equal(1, exit);
        Assert.Contains("a.yaml:1: unknown kind \"ConfigMap\"", error, StringComparison.Ordinal);
        Assert.Contains("c.yml:4: HandoffNode n1: spec.capacity.cpu: Invalid value: \"x\": spec.capacity.cpu in body should match", error, StringComparison.Ordinal);
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

    [Fact]
    public void Unquoted_quantities_are_read_as_kubectl_sends_them_and_accepted_by_the_same_schema()
    {
        var (exit, output, error) = PlanText("apiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n1}\nspec: {capacity: {cpu: 8, memory: 16Gi}}\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f}\nspec: {cost: {cpu: 8}}\n");
        Assert.True(exit == 0, error);
        Assert.Equal("n1", Function(ParseJson(output), "f").GetProperty("node").GetString());

        // A fraction must be quoted, as in a CRD of core Kubernetes quantities: the number 0.5 is not an integer.
        (exit, _, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f}\nspec: {cost: {cpu: 0.5}}\n");
        Assert.Equal(1, exit);
        Assert.Contains("bad.yaml:9: HandoffFunction default/f: spec.cost.cpu: Invalid value: \"number\": spec.cost.cpu in body must be of type integer,string: \"number\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spec: {maxRetries: 3000000000}", "bad.yaml:9: HandoffFunction default/f: spec.maxRetries: Invalid value: 3000000000: spec.maxRetries in body should be less than or equal to 2147483647")]
    [InlineData("spec: {template: {spec: {containers: x}}}", "bad.yaml:9: HandoffFunction default/f: spec.template.spec.containers: Invalid value: \"string\": spec.template.spec.containers in body must be of type array: \"string\"")]
    [InlineData("spec: {gang: {name: g, minMembers: 0}}", "bad.yaml:9: HandoffFunction default/f: spec.gang.minMembers: Invalid value: 0: spec.gang.minMembers in body should be greater than or equal to 1")]
    [InlineData("spec: {}\nstatus: {attempts: 3000000000}", "bad.yaml:10: HandoffFunction default/f: status.attempts: Invalid value: 3000000000: status.attempts in body should be less than or equal to 2147483647")]
    public void Values_the_cluster_would_refuse_are_refused_by_plan(string spec, string expected)
    {
        var (exit, _, error) = PlanText(Node + "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {name: f}\n" + spec + "\n");
        Assert.Equal(1, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_poison_pill_of_a_document_is_named_with_its_place_and_field_at_once()
    {
        var fn = (string name, string rest) => $"\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffFunction\nmetadata: {{name: {name}}}\n{rest}\n";
        var (exit, output, error) = PlanText(
            Node + fn("big", "spec: {maxRetries: 3000000000}") + fn("good", "spec: {cost: {cpu: \"1\"}}") +
            fn("a-function-name-that-is-longer-than-sixty-three-characters-long-x", "spec: {}") +
            "\n---\napiVersion: handoff.dev/v1alpha1\nkind: HandoffNode\nmetadata: {name: n2}\nspec: {capacity: {cpu: \"4\"}}\nstatus: {functions: 3000000000}\n");
        Assert.Equal(1, exit);
        AssertPlannedWithout(output, ["big", "a-function-name-that-is-longer-than-sixty-three-characters-long-x"], ["good"]);
        Assert.Equal(
            [
                "error: bad.yaml:9: HandoffFunction default/big: spec.maxRetries: Invalid value: 3000000000: spec.maxRetries in body should be less than or equal to 2147483647",
                "error: bad.yaml:20: HandoffFunction default/a-function-name-that-is-longer-than-sixty-three-characters-long-x: metadata.name: Invalid value: must be no more than 63 characters: a HandoffFunction's name is the value of the handoff.dev/function label of its pods",
                "error: bad.yaml:28: HandoffNode n2: status.functions: Invalid value: 3000000000: status.functions in body should be less than or equal to 2147483647",
            ],
            error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The objects refused are left out and the rest is planned (the operator skips what it cannot use).</summary>
    private static void AssertPlannedWithout(string output, string[] left, string[] planned)
    {
        var names = PlanHarness.ParseJson(output).GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList();
        Assert.All(planned, n => Assert.Contains(n, names));
        Assert.All(left.Except(planned), n => Assert.DoesNotContain(n, names));
        Assert.Equal(names.Count, names.Distinct().Count());
    }
}
