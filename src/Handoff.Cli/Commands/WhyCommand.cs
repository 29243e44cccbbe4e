using System.CommandLine;
using Handoff.Api.V1Alpha1;
using Handoff.Cli.Cluster;
using Handoff.Cli.Rendering;
using Handoff.Cli.Why;
using Handoff.Core;

namespace Handoff.Cli.Commands;

/// <summary><c>handoff why FUNCTION</c> / <c>handoff why pod/NAME</c>: why it is where it is.</summary>
internal static class WhyCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("FUNCTION")
        {
            Description = "A HandoffFunction's name (also hf/NAME or handofffunction/NAME), or pod/NAME for a plain pod Handoff schedules.",
        };
        var schedulerName = new Option<string>("--scheduler-name")
        {
            Description = "The scheduler name Handoff runs as (pods with this spec.schedulerName are Handoff's).",
            DefaultValueFactory = _ => HandoffApi.DefaultSchedulerName,
        };
        var kube = new KubeOptions(allNamespaces: false);
        var command = new Command("why", "Explain why a HandoffFunction (or a pod Handoff schedules) is where it is: per HandoffNode its eligibility (cordon, Ready, selector, taint, pin) and needed vs free resources, its queue position, the args it waits for, and when it is likely to start.")
        {
            target, schedulerName,
        };
        kube.AddTo(command);
        FunctionNameCompletions.AddTo(target, kube);
        command.SetAction(async (parseResult, ct) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            var (kind, name) = Split(parseResult.GetValue(target)!);
            try
            {
                if (kind is not ("" or "hf" or "handofffunction" or "handofffunctions" or "handofffunction.handoff.dev" or "pod" or "pods" or "po"))
                {
                    throw new ClusterException($"why explains HandoffFunctions (NAME or hf/NAME) and pods (pod/NAME), not \"{kind}\"");
                }

                var cluster = kube.Resolve(parseResult);
                using var client = cluster.CreateClient();
                var live = await ClusterReader.ReadAsync(client, TimeProvider.System, ct);
                WhyReport report;
                if (kind is "pod" or "pods" or "po")
                {
                    var pod = await ClusterReader.ReadPodAsync(client, name, cluster.Namespace, ct)
                        ?? throw new ClusterException($"pod {cluster.Namespace}/{name} not found");
                    report = WhyBuilder.ForPod(live, pod, parseResult.GetValue(schedulerName)!);
                }
                else
                {
                    report = WhyBuilder.ForFunction(live, ObjectKeys.Of(cluster.Namespace, name), ct);
                }

                WhyRenderer.Write(Terminal.Create(parseResult.InvocationConfiguration.Output), report);
                return 0;
            }
            catch (ClusterException e)
            {
                await error.WriteLineAsync("error: " + e.Message);
                return 1;
            }
        });
        return command;
    }

    private static (string Kind, string Name) Split(string target)
    {
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("", target) : (target[..slash].ToLowerInvariant(), target[(slash + 1)..]);
    }
}
