using System.Globalization;
using System.Text;
using Handoff.Cli.Rendering;
using Handoff.Core.Lifecycle;
using Spectre.Console;

namespace Handoff.Cli.Graph;

/// <summary>A DAG as a terminal tree (Spectre.Console), as Graphviz DOT, and as a Mermaid flowchart.</summary>
internal static class DagText
{
    /// <summary>
    /// Sources (functions without args) at the top, each function's dependents beneath it; a function reached a
    /// second time (it has several args) is shown again with <c>↑</c> and not expanded twice.
    /// </summary>
    public static Tree Tree(FunctionDag dag, string title)
    {
        var tree = new Tree(Markup.Escape(title));
        var shown = new HashSet<string>(StringComparer.Ordinal);
        var byId = dag.Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        var roots = dag.Nodes.Where(n => !dag.ArgsOf(n.Id).Any()).ToList();
        if (roots.Count == 0)
        {
            roots = [.. dag.Nodes.Take(1)]; // Only cycles: start anywhere.
        }

        void Add(IHasTreeNodes parent, DagNode node)
        {
            var again = !shown.Add(node.Id);
            var child = parent.AddNode(Label(node) + (again ? " [grey]↑ (shown above)[/]" : ""));
            if (!again)
            {
                foreach (var dependent in dag.DependentsOf(node.Id).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
                {
                    Add(child, byId[dependent]);
                }
            }
        }

        foreach (var root in roots)
        {
            Add(tree, root);
        }

        foreach (var rest in dag.Nodes.Where(n => !shown.Contains(n.Id)))
        {
            Add(tree, rest); // Cycle members not reached from a source.
        }

        return tree;
    }

    private static string Label(DagNode node) =>
        node.Missing
            ? $"[red]{Markup.Escape(node.Name)}[/] [grey](missing: no such HandoffFunction)[/]"
            : $"{Markup.Escape(node.Name)} {PhaseStyle.Colored(node.Phase)}{(node.Node is { Length: > 0 } n ? $" [grey]on {Markup.Escape(n)}[/]" : "")}";

    public static string Dot(FunctionDag dag)
    {
        var sb = new StringBuilder();
        sb.AppendLine("digraph handoff {");
        sb.AppendLine("  rankdir=LR;");
        sb.AppendLine("  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\", fontcolor=\"white\"];");
        foreach (var node in dag.Nodes)
        {
            var label = node.Missing ? $"{node.Name}\\n(missing)" : $"{node.Name}\\n{node.Phase ?? "-"}{(node.Node is { Length: > 0 } n ? "\\non " + n : "")}";
            var color = node.Missing ? "#ffffff" : PhaseStyle.Hex(FunctionPhases.Parse(node.Phase));
            var extra = node.Missing ? ", style=\"rounded,dashed\", fontcolor=\"#d64541\"" : "";
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {Quote(node.Id)} [label={Quote(label, escapeNewlines: false)}, fillcolor={Quote(color)}{extra}];");
        }

        foreach (var (from, to) in dag.Edges)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {Quote(from)} -> {Quote(to)};");
        }

        sb.AppendLine("}");
        return sb.ToString();
    }

    /// <summary>A DOT ID in double quotes, with <c>"</c> and <c>\</c> escaped (label line breaks, <c>\n</c>, kept when asked).</summary>
    private static string Quote(string text, bool escapeNewlines = true) =>
        "\"" + (escapeNewlines ? text.Replace("\\", "\\\\", StringComparison.Ordinal) : text).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public static string Mermaid(FunctionDag dag)
    {
        var sb = new StringBuilder();
        sb.AppendLine("flowchart LR");
        var ids = dag.Nodes.Select((n, i) => (n.Id, Key: "f" + i.ToString(CultureInfo.InvariantCulture))).ToDictionary(x => x.Id, x => x.Key, StringComparer.Ordinal);
        foreach (var node in dag.Nodes)
        {
            var text = node.Missing ? $"{node.Name}<br/>(missing)" : $"{node.Name}<br/>{node.Phase ?? "-"}";
            var cls = node.Missing ? "Missing" : node.Phase ?? "Unknown";
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {ids[node.Id]}[\"{text.Replace("\"", "#quot;", StringComparison.Ordinal)}\"]:::{cls}");
        }

        foreach (var (from, to) in dag.Edges)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {ids[from]} --> {ids[to]}");
        }

        foreach (var phase in FunctionPhases.All)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"  classDef {phase.Name()} fill:{PhaseStyle.Hex(phase)},color:#ffffff");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"  classDef Unknown fill:{PhaseStyle.UnknownHex},color:#ffffff");
        sb.AppendLine("  classDef Missing fill:#ffffff,color:#d64541,stroke-dasharray:4 3");
        return sb.ToString();
    }
}
