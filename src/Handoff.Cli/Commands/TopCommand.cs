using System.CommandLine;
using System.Globalization;
using Handoff.Api.V1Alpha1;
using Handoff.Cli.Cluster;
using Handoff.Cli.Rendering;
using Handoff.Core.Lifecycle;
using Handoff.Core.Resources;
using Spectre.Console;

namespace Handoff.Cli.Commands;

/// <summary><c>handoff top</c>: HandoffNodes with a usage bar per resource (like <c>kubectl top nodes</c>), and functions per phase.</summary>
internal static class TopCommand
{
    private const int BarWidth = 12;

    public static Command Create()
    {
        var kube = new KubeOptions(allNamespaces: true);
        var command = new Command("top", "Show each HandoffNode's usage per resource as bars (held by functions, plus what other pods hold on its Node) and the number of functions per phase.");
        kube.AddTo(command);
        command.SetAction(async (parseResult, ct) =>
        {
            LiveCluster cluster;
            ClusterTarget target;
            try
            {
                target = kube.Resolve(parseResult);
                using var client = target.CreateClient();
                cluster = await ClusterReader.ReadAsync(client, TimeProvider.System, ct);
            }
            catch (ClusterException e)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync("error: " + e.Message);
                return 1;
            }

            Write(Terminal.Create(parseResult.InvocationConfiguration.Output), cluster, target);
            return 0;
        });
        return command;
    }

    private static void Write(IAnsiConsole console, LiveCluster cluster, ClusterTarget target)
    {
        var resources = cluster.HandoffNodes.SelectMany(n => Capacity(n).Names).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var table = new Table().Border(TableBorder.None);
        foreach (var header in new[] { "NODE", "READY", "FUNCTIONS" }.Concat(resources.Select(r => r.ToUpperInvariant())))
        {
            table.AddColumn(new TableColumn(new Markup($"[bold]{Markup.Escape(header)}[/]")).PadLeft(0).PadRight(3).NoWrap());
        }

        foreach (var node in cluster.HandoffNodes)
        {
            var capacity = Capacity(node);
            var used = LiveCluster.Resources(node.Status?.Allocated).Add(LiveCluster.Resources(node.Status?.External));
            var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == ConditionTypes.Ready);
            var cordoned = node.Spec?.Unschedulable == true || cluster.NodeOf(node)?.Spec?.Unschedulable == true;
            var readyText = ready?.Status == ConditionStatus.True ? "yes" : $"[red]no[/]{(ready?.Reason is { } r ? $" ({Markup.Escape(r)})" : "")}";
            var cells = new List<string>
            {
                Markup.Escape(node.Metadata.Name) + (cordoned ? " [yellow](cordoned)[/]" : ""),
                readyText,
                node.Status?.Functions.ToString(CultureInfo.InvariantCulture) ?? "0",
            };
            cells.AddRange(resources.Select(r => capacity.Contains(r) ? Bar(used[r], capacity[r]) : "-"));
            table.AddRow(cells.ToArray());
        }

        if (cluster.HandoffNodes.Count == 0)
        {
            console.MarkupLine("no HandoffNodes");
        }
        else
        {
            console.Write(table);
        }

        console.WriteLine();
        var functions = cluster.FunctionsIn(target.ListNamespace).ToList();
        var scope = target.AllNamespaces ? "all namespaces" : "namespace " + target.Namespace;
        var counts = FunctionPhases.Names.Select(p => (Phase: p, Count: functions.Count(f => f.Status?.Phase == p))).ToList();
        var noStatus = functions.Count(f => string.IsNullOrEmpty(f.Status?.Phase));
        console.MarkupLine($"[bold]{functions.Count} HandoffFunctions in {Markup.Escape(scope)}:[/] " +
            string.Join("  ", counts.Select(c => $"{PhaseStyle.Colored(c.Phase)} {c.Count}")) + (noStatus > 0 ? $"  [grey]no status {noStatus}[/]" : ""));
    }

    /// <summary><c>████░░░░ 2/4 50%</c>: what is held of a resource, coloured green, yellow from 70 %, red from 90 %.</summary>
    private static string Bar(long used, long capacity)
    {
        var fraction = capacity <= 0 ? (used > 0 ? 1 : 0) : Math.Min(1, (double)used / capacity);
        var filled = (int)Math.Round(fraction * BarWidth);
        var color = fraction >= 0.9 ? "red" : fraction >= 0.7 ? "yellow" : "green";
        var percent = capacity <= 0 ? "-" : ((double)used / capacity).ToString("0%", CultureInfo.InvariantCulture);
        return $"[{color}]{new string('█', filled)}[/][grey]{new string('░', BarWidth - filled)}[/] {ResourceList.FormatMilli(used)}/{ResourceList.FormatMilli(capacity)} {percent}";
    }

    /// <summary>The effective capacity the operator reports, else the declared one.</summary>
    private static ResourceList Capacity(HandoffNode node) =>
        node.Status?.Capacity is { Count: > 0 } reported ? ResourceList.Parse(reported) : LiveCluster.Resources(node.Spec?.Capacity);
}
