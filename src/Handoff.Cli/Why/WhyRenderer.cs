using Handoff.Cli.Rendering;
using Handoff.Core.Resources;
using Spectre.Console;

namespace Handoff.Cli.Why;

/// <summary>Writes a <see cref="WhyReport"/> to the terminal: the answer first, then args and one row per HandoffNode.</summary>
internal static class WhyRenderer
{
    public static void Write(IAnsiConsole console, WhyReport report)
    {
        console.MarkupLine($"[bold]{Markup.Escape(report.Subject)}[/]  {PhaseStyle.Colored(report.Phase)}");
        var grid = new Grid().AddColumn(new GridColumn().NoWrap().PadRight(2)).AddColumn();
        grid.AddRow(new Markup("[bold]why:[/]"), new Markup("[bold]" + Markup.Escape(report.Why) + "[/]"));
        if (!string.IsNullOrEmpty(report.Reason) || !string.IsNullOrEmpty(report.Message))
        {
            grid.AddRow("status:", Markup.Escape(string.Join(": ", new[] { report.Reason, report.Message }.Where(s => !string.IsNullOrEmpty(s)))));
        }

        foreach (var (label, value) in report.Details)
        {
            grid.AddRow(Markup.Escape(label + ":"), Markup.Escape(value));
        }

        if (report.LikelyStart is { } likely)
        {
            grid.AddRow("likely start:", Markup.Escape(likely));
        }

        console.Write(grid);
        if (report.Args.Count > 0)
        {
            console.WriteLine();
            var args = NewTable("ARG", "PHASE", "NODE", "NOTE");
            foreach (var a in report.Args)
            {
                args.AddRow(Markup.Escape(a.Name), PhaseStyle.Colored(a.Phase), Markup.Escape(a.Node ?? "-"), Markup.Escape(a.Note));
            }

            console.Write(args);
        }

        if (report.Nodes.Count > 0)
        {
            console.WriteLine();
            var nodes = NewTable(["NODE", "CORDONED", "READY", "SELECTOR", "TAINT", "PIN", .. report.Resources.Select(r => $"{r.ToUpperInvariant()} NEED/FREE"), "VERDICT"]);
            foreach (var n in report.Nodes)
            {
                var cells = new List<string>
                {
                    Markup.Escape(n.Name),
                    n.Cordoned ? "[red]yes[/]" : "no",
                    n.Ready ? "yes" : "[red]no[/]",
                    n.SelectorMatches is null ? "-" : n.SelectorMatches.Value ? "match" : "[red]no match[/]",
                    n.UntoleratedTaint is { } t ? $"[red]{Markup.Escape(t.ToString())}[/]" : "-",
                    n.PinMatches is null ? "-" : n.PinMatches.Value ? "match" : "[red]other node[/]",
                };
                foreach (var resource in report.Resources)
                {
                    var cell = n.Resources.FirstOrDefault(c => c.Resource == resource);
                    cells.Add(cell is null ? "-" : $"{(cell.Short && !n.Holds ? "[red]" : "")}{ResourceList.FormatMilli(cell.Need)}/{ResourceList.FormatMilli(cell.Free)}{(cell.Short && !n.Holds ? "[/]" : "")}");
                }

                cells.Add(n.Fits || n.Holds ? $"[green]{Markup.Escape(n.Verdict)}[/]" : Markup.Escape(n.Verdict));
                nodes.AddRow(cells.ToArray());
            }

            console.Write(nodes);
        }
    }

    private static Table NewTable(params string[] headers)
    {
        var table = new Table().Border(TableBorder.None).ShowHeaders();
        foreach (var h in headers)
        {
            table.AddColumn(new TableColumn(new Markup($"[bold]{Markup.Escape(h)}[/]")).PadLeft(0).PadRight(3).NoWrap());
        }

        return table;
    }
}
