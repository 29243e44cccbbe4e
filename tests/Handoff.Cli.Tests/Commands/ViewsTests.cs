using System.Xml.Linq;
using Handoff.Core.Lifecycle;
using Handoff.Testing;
using Handoff.Cli.Tests.Planning;

namespace Handoff.Cli.Tests.Commands;

/// <summary>examples/dag, run to the end by the operator (on simulated nodes dag-worker-1 and dag-worker-2).</summary>
public sealed class DagSandbox : LiveSandbox
{
    protected override string NodesYaml => """
        nodes:
        - {name: dag-worker-1, allocatable: {cpu: "4", memory: 8Gi}}
        - {name: dag-worker-2, allocatable: {cpu: "4", memory: 8Gi}}
        """;

    protected override string SetupYaml => File.ReadAllText(Path.Combine(RepoPaths.Examples, "dag", "dag.yaml"));

    public async Task WaitUntilDoneAsync()
    {
        foreach (var name in new[] { "dag-source", "dag-double", "dag-increment", "dag-sum" })
        {
            await WaitForPhaseAsync("default", name, FunctionPhases.Succeeded);
        }
    }
}

/// <summary><c>graph</c>, <c>top</c>, <c>gantt</c> and <c>plan -f -</c> through the real binary against a finished DAG in the sandbox.</summary>
public sealed class ViewsTests(DagSandbox sandbox) : IClassFixture<DagSandbox>
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public async Task Graph_draws_the_dag_as_a_tree_with_phases_and_nodes()
    {
        await sandbox.WaitUntilDoneAsync();

        var tree = await sandbox.HandoffAsync("graph", "-n", "default");

        Assert.Matches(@"(?m)^└── dag-source Succeeded on dag-worker-\d$", tree);
        Assert.Matches(@"(?m)^    ├── dag-double Succeeded on dag-worker-\d$", tree);
        Assert.Matches(@"(?m)^    │   └── dag-sum Succeeded on dag-worker-\d$", tree);
        Assert.Matches(@"(?m)^        └── dag-sum Succeeded on dag-worker-\d ↑ \(shown above\)$", tree);
    }

    [Fact]
    public async Task Graph_dot_parses_and_has_every_function_and_arg()
    {
        await sandbox.WaitUntilDoneAsync();

        var dot = await sandbox.HandoffAsync("graph", "dag-sum", "-n", "default", "-o", "dot");

        var graph = DotParser.Parse(dot);
        Assert.True(graph.Directed);
        Assert.Equal(["default/dag-double", "default/dag-increment", "default/dag-source", "default/dag-sum"], graph.Nodes.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["default/dag-double->default/dag-sum", "default/dag-increment->default/dag-sum", "default/dag-source->default/dag-double", "default/dag-source->default/dag-increment"],
            graph.Edges.Select(e => $"{e.From}->{e.To}").Order(StringComparer.Ordinal));
        Assert.All(graph.Nodes.Values, n => Assert.Contains("\\nSucceeded", n["label"], StringComparison.Ordinal));
        if (Tools.Find("dot") is { } graphviz)
        {
            var rendered = await Processes.RunAsync(graphviz, ["-Tsvg"], TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken, stdin: dot);
            Assert.True(rendered.Succeeded, rendered.ToString());
            Assert.Equal(4, XDocument.Parse(rendered.Stdout).Descendants(Svg + "g").Count(g => (string?)g.Attribute("class") == "node"));
        }
    }

    [Fact]
    public async Task Graph_mermaid_and_svg_show_the_same_dag()
    {
        await sandbox.WaitUntilDoneAsync();

        var mermaid = await sandbox.HandoffAsync("graph", "-n", "default", "-o", "mermaid");
        var svg = XDocument.Parse(await sandbox.HandoffAsync("graph", "-n", "default", "-o", "svg"));

        Assert.StartsWith("flowchart LR\n", mermaid, StringComparison.Ordinal);
        Assert.Equal(4, mermaid.Split('\n').Count(l => l.Contains(" --> ", StringComparison.Ordinal)));
        Assert.Equal(4, mermaid.Split('\n').Count(l => l.EndsWith(":::Succeeded", StringComparison.Ordinal)));
        var boxes = svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "function").ToList();
        Assert.Equal(4, boxes.Count);
        Assert.All(boxes, b => Assert.Equal("Succeeded", (string?)b.Attribute("data-phase")));
        Assert.Equal(4, svg.Descendants(Svg + "polyline").Count(l => l.Attribute("marker-end") is not null));
    }

    [Fact]
    public async Task Graph_with_a_label_selector_shows_only_the_functions_it_selects()
    {
        var ns = await sandbox.NamespaceWithAsync("""
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffFunction
            metadata: {name: picked, labels: {app: etl}}
            spec: {template: {spec: {containers: [{name: main, image: busybox}]}}}
            ---
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffFunction
            metadata: {name: other, labels: {app: web}}
            spec: {template: {spec: {containers: [{name: main, image: busybox}]}}}
            """);

        var tree = await sandbox.HandoffAsync("graph", "-l", "app=etl", "-n", ns);

        Assert.Contains("picked", tree, StringComparison.Ordinal);
        Assert.DoesNotContain("other", tree, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_shows_usage_bars_per_resource_and_functions_per_phase()
    {
        await sandbox.WaitUntilDoneAsync();

        var top = await sandbox.HandoffAsync("top", "-n", "default");

        Assert.Matches(@"(?m)^NODE\s+READY\s+FUNCTIONS\s+CPU\s+MEMORY$", top);
        Assert.Matches(@"(?m)^dag-worker-1\s+yes\s+0\s+░{12} 0/4 0%\s+░{12} 0/8Gi 0%$", top);
        Assert.Contains("4 HandoffFunctions in namespace default: Waiting 0  Pending 0  Scheduled 0  Running 0  Succeeded 4  Failed 0", top, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Top_shows_what_running_functions_hold()
    {
        var ns = await sandbox.NamespaceWithAsync("""
            apiVersion: handoff.dev/v1alpha1
            kind: HandoffFunction
            metadata: {name: holder}
            spec:
              cost: {cpu: "3", memory: 2Gi}
              node: dag-worker-2
              template:
                metadata:
                  annotations: {handoff.dev/duration: 1h}
                spec:
                  containers:
                  - {name: main, image: busybox}
            """);
        await sandbox.WaitForPhaseAsync(ns, "holder", FunctionPhases.Running);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        string top;
        do
        {
            top = await sandbox.HandoffAsync("top", "-A");
        }
        while (!top.Contains("3/4", StringComparison.Ordinal) && DateTimeOffset.UtcNow < deadline);

        Assert.Matches(@"(?m)^dag-worker-2\s+yes\s+1\s+█{9}░{3} 3/4 75%\s+███░{9} 2Gi/8Gi 25%$", top);
        Assert.Contains("HandoffFunctions in all namespaces:", top, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubectl_handoff_top_and_graph_run_as_a_plugin()
    {
        await sandbox.WaitUntilDoneAsync();
        var plugins = HandoffBinary.PluginDirectory();
        try
        {
            var top = await HandoffBinary.KubectlPluginAsync(plugins, ["top", "-A", "--kubeconfig", sandbox.KubeconfigPath]);
            var graph = await HandoffBinary.KubectlPluginAsync(plugins, ["graph", "-n", "default", "--kubeconfig", sandbox.KubeconfigPath]);
            var gantt = await HandoffBinary.KubectlPluginAsync(plugins, ["gantt", "-n", "default", "--kubeconfig", sandbox.KubeconfigPath]);

            Assert.True(top.Succeeded, top.ToString());
            Assert.Contains("dag-worker-1", top.Stdout, StringComparison.Ordinal);
            Assert.True(graph.Succeeded, graph.ToString());
            Assert.Contains("dag-sum Succeeded", graph.Stdout, StringComparison.Ordinal);
            Assert.True(gantt.Succeeded, gantt.ToString());
            Assert.Equal(4, XDocument.Parse(gantt.Stdout).Descendants(Svg + "rect").Count(r => (string?)r.Attribute("class") == "bar"));
        }
        finally
        {
            Directory.Delete(plugins, recursive: true);
        }
    }

    [Fact]
    public async Task Gantt_of_the_live_statuses_has_a_bar_per_function_on_its_node()
    {
        await sandbox.WaitUntilDoneAsync();

        var svg = XDocument.Parse(await sandbox.HandoffAsync("gantt", "-n", "default"));

        var bars = svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "bar").ToList();
        Assert.Equal(["default/dag-double", "default/dag-increment", "default/dag-source", "default/dag-sum"], bars.Select(b => (string)b.Attribute("data-function")!).Order(StringComparer.Ordinal));
        Assert.All(bars, b => Assert.Equal("Succeeded", (string?)b.Attribute("data-phase")));
        Assert.All(bars, b => Assert.StartsWith("dag-worker-", (string)b.Attribute("data-node")!, StringComparison.Ordinal));
        Assert.Equal(["dag-worker-1", "dag-worker-2"], svg.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("class") == "lane").Select(r => (string)r.Attribute("data-node")!));
    }

    [Fact]
    public async Task Kubectl_get_as_yaml_piped_into_plan_reads_the_list()
    {
        await sandbox.WaitUntilDoneAsync();
        using var kubectl = new Kubectl(sandbox.KubeconfigPath);
        var yaml = await kubectl.MustAsync(["get", "hf,hn", "-n", "default", "-o", "yaml"], TestContext.Current.CancellationToken);
        Assert.StartsWith("apiVersion: v1\nitems:", yaml, StringComparison.Ordinal);
        Assert.Contains("kind: List", yaml, StringComparison.Ordinal);

        var result = await HandoffBinary.RunAsync(["plan", "-f", "-", "-o", "json"], stdin: yaml);

        Assert.True(result.Succeeded, result.ToString());
        var plan = PlanHarness.ParseJson(result.Stdout);
        Assert.Equal("Succeeded", PlanHarness.Function(plan, "dag-sum").GetProperty("phase").GetString());
        Assert.Equal(2, plan.GetProperty("nodes").GetArrayLength());
        Assert.Equal(4.0, plan.GetProperty("makespan").GetDouble());
    }

    [Fact]
    public async Task Function_names_complete_from_the_cluster()
    {
        await sandbox.WaitUntilDoneAsync();
        var line = $"handoff why --kubeconfig {sandbox.KubeconfigPath} -n default dag-s";

        var suggestions = await HandoffBinary.MustAsync($"[suggest:{line.Length}]", line);

        Assert.Equal("dag-source\ndag-sum\n", suggestions);
    }
}
