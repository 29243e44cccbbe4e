using Handoff.Api;
using Handoff.Api.Manifests;
using Handoff.Api.Mapping;
using Handoff.Api.V1Alpha1;
using Handoff.Core;
using Handoff.Core.Lifecycle;
using Handoff.Core.Allocation;
using Handoff.Core.Dag;
using Handoff.Core.Planning;

namespace Handoff.Cli.Planning;

/// <summary>
/// The nodes and functions of a plan, built from manifests, plus the problems that do not stop a plan from being
/// printed but make <c>handoff plan</c> exit non-zero (unknown args, unknown collocateWith targets, cycles).
/// </summary>
internal sealed record PlanInput(
    IReadOnlyList<NodeInfo> Nodes,
    IReadOnlyList<PlanFunction> Functions,
    IReadOnlyDictionary<string, MappedFunction> Mapped,
    IReadOnlyList<string> Problems)
{
    /// <summary>
    /// Validates and converts the documents. Throws <see cref="PlanInputException"/> listing every error (each naming
    /// file, line, object and field) for invalid objects and duplicate names.
    /// </summary>
    public static PlanInput Build(IReadOnlyList<ManifestDocument> documents, AllocationStrategy defaultStrategy)
    {
        var errors = new List<string>();
        var nodes = new List<NodeInfo>();
        var functions = new List<PlanFunction>();
        var mapped = new Dictionary<string, MappedFunction>(StringComparer.Ordinal);
        var locations = new Dictionary<string, ManifestDocument>(StringComparer.Ordinal);
        var functionLocations = new Dictionary<string, ManifestDocument>(StringComparer.Ordinal);

        var planStart = documents.Select(d => d.Object).OfType<HandoffFunction>()
            .Select(f => f.Metadata?.CreationTimestamp).OfType<DateTime>().DefaultIfEmpty(DateTime.MaxValue).Min();
        foreach (var doc in documents)
        {
            try
            {
                switch (doc.Object)
                {
                    case HandoffNode node:
                        var info = HandoffMapper.ToNodeInfo(node, ready: true);
                        if (locations.TryGetValue(info.Name, out var first))
                        {
                            throw new ManifestValidationException(HandoffMapper.Describe(node), "metadata.name",
                                $"Duplicate value: \"{info.Name}\" (already defined at {first.Location})");
                        }

                        locations[info.Name] = doc;
                        nodes.Add(info);
                        break;
                    case HandoffFunction function:
                        var f = HandoffMapper.ToFunction(function, defaultStrategy);
                        if (functionLocations.TryGetValue(f.Id, out var firstFn))
                        {
                            throw new ManifestValidationException(HandoffMapper.Describe(function), "metadata.name",
                                $"Duplicate value: \"{f.Name}\" in namespace \"{f.Namespace}\" (already defined at {firstFn.Location})");
                        }

                        functionLocations[f.Id] = doc;
                        mapped[f.Id] = f;
                        functions.Add(ToPlanFunction(function, f, planStart));
                        break;
                }
            }
            catch (ManifestValidationException e)
            {
                errors.Add($"{doc.Location}: {e.Message}");
            }
        }

        if (errors.Count > 0)
        {
            throw new PlanInputException(errors);
        }

        var problems = new List<string>();
        var graph = new FunctionGraph(functions.Select(f => new FunctionDependencies(f.Id, f.Args) { CollocateWith = f.Placement.CollocateWith }));
        foreach (var f in functions)
        {
            var m = mapped[f.Id];
            var where = $"{functionLocations[f.Id].Location}: {HandoffApi.FunctionKind} {f.Id}";
            if (graph.UnknownArgs.TryGetValue(f.Id, out var unknown))
            {
                problems.Add($"{where}: spec.args: unknown function(s) {string.Join(", ", unknown.Select(u => $"\"{u[(m.Namespace.Length + 1)..]}\""))} in namespace \"{m.Namespace}\"");
            }

            if (graph.UnknownCollocation.TryGetValue(f.Id, out var target))
            {
                problems.Add($"{where}: spec.collocateWith: unknown function \"{ObjectKeys.NameOf(target)}\" in namespace \"{m.Namespace}\"");
            }
        }

        foreach (var cycle in graph.Cycles)
        {
            problems.Add($"{functionLocations[cycle[0]].Location}: {HandoffApi.FunctionKind} {cycle[0]}: spec.args: DependencyCycle: {FunctionGraph.FormatCycle(cycle)}");
        }

        return new PlanInput(nodes, functions, mapped, problems);
    }

    /// <summary>
    /// The plan function of a manifest. A manifest read back from a cluster (<c>kubectl get -o yaml</c>) carries its
    /// creationTimestamp: <paramref name="planStart"/> is the earliest of them, so the queue orders such functions by
    /// creation as the operator does; the others are created when the plan starts.
    /// </summary>
    private static PlanFunction ToPlanFunction(HandoffFunction function, MappedFunction f, DateTime planStart)
    {
        var what = HandoffMapper.Describe(function);
        var annotations = function.Metadata.Annotations ?? new Dictionary<string, string>();
        var duration = PlanFunction.DefaultDuration;
        if (annotations.TryGetValue(HandoffApi.DurationAnnotation, out var durationText) && !GoDuration.TryParse(durationText, out duration))
        {
            throw new ManifestValidationException(what, $"metadata.annotations[{HandoffApi.DurationAnnotation}]",
                $"invalid duration \"{durationText}\" (expected e.g. 30s, 1.5s, 2m or 1h30m)");
        }

        var fails = false;
        if (annotations.TryGetValue(HandoffApi.OutcomeAnnotation, out var outcome))
        {
            fails = outcome switch
            {
                FunctionPhases.Failed => true,
                FunctionPhases.Succeeded => false,
                _ => throw new ManifestValidationException(what, $"metadata.annotations[{HandoffApi.OutcomeAnnotation}]",
                    $"Unsupported value: \"{outcome}\": supported values: \"Succeeded\", \"Failed\""),
            };
        }

        return new PlanFunction(f.Placement, f.Args)
        {
            Strategy = f.Strategy,
            Duration = duration,
            Fails = fails,
            Retry = new RetryPolicy(f.MaxRetries),
            Created = function.Metadata.CreationTimestamp is { } created && created > planStart ? created - planStart : TimeSpan.Zero,
        };
    }
}

/// <summary>Invalid input for a plan: every error found, each naming file, line, object and field.</summary>
internal sealed class PlanInputException(IReadOnlyList<string> errors) : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
