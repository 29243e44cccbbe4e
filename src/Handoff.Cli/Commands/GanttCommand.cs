using System.CommandLine;
using System.Text.Json;
using Handoff.Api.Manifests;
using Handoff.Cli.Cluster;
using Handoff.Cli.Gantt;
using Handoff.Cli.Planning;
using Handoff.Cli.Rendering;

namespace Handoff.Cli.Commands;

/// <summary><c>handoff gantt</c>: the schedule as a picture, from a plan's JSON or from the live statuses.</summary>
internal static class GanttCommand
{
    public static Command Create()
    {
        var plan = new Option<string?>("--plan")
        {
            Description = "Draw this plan (the output of handoff plan -o json; - for standard input) instead of the live cluster.",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Picture format: svg or png.",
            DefaultValueFactory = _ => "svg",
        };
        output.AcceptOnlyFromAmong("svg", "png");
        var file = new Option<string?>("--file")
        {
            Description = "Write the picture to this file (default: standard output; png needs a file or a redirected output).",
        };
        var title = new Option<string?>("--title")
        {
            Description = "The picture's title.",
        };
        var kube = new KubeOptions(allNamespaces: true);
        var command = new Command("gantt", "Draw the schedule as a Gantt chart (SVG or PNG): one lane per HandoffNode, one bar per attempt coloured by phase — from a plan (--plan) or from the live functions' statuses.")
        {
            plan, output, file, title,
        };
        kube.AddTo(command);
        command.SetAction(async (parseResult, ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            GanttChart chart;
            try
            {
                if (parseResult.GetValue(plan) is { } planPath)
                {
                    var text = planPath == ManifestPaths.StandardInput ? await CommandInput.StandardInput.ReadToEndAsync(ct) : await File.ReadAllTextAsync(planPath, ct);
                    chart = GanttSources.FromPlan(PlanOutput.FromJson(text), parseResult.GetValue(title) ?? "handoff plan");
                }
                else
                {
                    var target = kube.Resolve(parseResult);
                    using var client = target.CreateClient();
                    var cluster = await ClusterReader.ReadAsync(client, TimeProvider.System, ct);
                    var scope = target.AllNamespaces ? "all namespaces" : $"namespace {target.Namespace}";
                    chart = GanttSources.FromLive(cluster, target.ListNamespace, parseResult.GetValue(title) ?? $"HandoffFunctions in {scope}");
                }
            }
            catch (Exception e) when (e is ClusterException or IOException or JsonException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: {(e is JsonException ? "--plan: not the JSON of handoff plan -o json: " : "")}{e.Message}");
                return 1;
            }

            var scene = GanttScene.Build(chart);
            return await PictureOutput.WriteAsync(scene, parseResult.GetValue(output)!, parseResult.GetValue(file), parseResult.InvocationConfiguration.Output, error, ct);
        });
        return command;
    }
}
