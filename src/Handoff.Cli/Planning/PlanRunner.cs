using Handoff.Api.Crds.Validation;
using Handoff.Api.Manifests;
using Handoff.Api.V1Alpha1;
using Handoff.Cli.Cluster;
using Handoff.Cli.Gantt;
using Handoff.Cli.Rendering;
using Handoff.Core.Allocation;
using Handoff.Core.Planning;

namespace Handoff.Cli.Planning;

/// <summary>What <c>handoff plan</c> was asked: manifests, or the live cluster plus (optionally) new manifests.</summary>
internal sealed record PlanRequest
{
    /// <summary>The <c>-f</c> arguments (files, directories, <c>-</c>); required unless <see cref="Live"/>.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    public AllocationStrategy DefaultStrategy { get; init; } = AllocationStrategy.FirstAvailable;

    /// <summary><c>table</c>, <c>json</c>, <c>yaml</c> or <c>svg</c> (the plan's Gantt chart).</summary>
    public string Format { get; init; } = "table";

    /// <summary><c>--live</c>: start from this cluster's state.</summary>
    public ClusterTarget? Live { get; init; }

    /// <summary><c>--discover-nodes[=SELECTOR]</c>: plan as an operator that discovers the Nodes matching it; null = off, "" = every Node.</summary>
    public string? DiscoverNodes { get; init; }
}

/// <summary>Runs <c>handoff plan</c>: load, validate, simulate, print.</summary>
internal static class PlanRunner
{
    public const int ExitOk = 0;
    public const int ExitInvalidInput = 1;

    /// <summary>Where objects read from a cluster are said to come from in messages.</summary>
    public const string ClusterSource = "<cluster>";


    /// <summary>
    /// Loads every file, prints the plan to <paramref name="output"/> and problems to <paramref name="error"/>.
    /// Returns 0 when the plan is valid; 1 when a file cannot be read (nothing is planned), when objects were refused
    /// (each named; the rest is planned, as the operator skips an object it cannot use), or for a plan with unknown
    /// args, unknown collocateWith targets or cycles (the plan is printed, then the errors).
    /// </summary>
    public static int Run(IReadOnlyList<string> paths, AllocationStrategy defaultStrategy, string format, TextReader standardInput, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        RunAsync(new PlanRequest { Paths = paths, DefaultStrategy = defaultStrategy, Format = format }, standardInput, output, error, TimeProvider.System, cancellationToken)
            .GetAwaiter().GetResult();

    public static async Task<int> RunAsync(
        PlanRequest request, TextReader standardInput, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var rejected = new List<string>();
        var documents = new List<ManifestDocument>();
        if (request.Paths.Count > 0)
        {
            if (LoadFiles(request.Paths, standardInput, errors, rejected, cancellationToken) is not { } files)
            {
                return Fail(errors, error);
            }

            documents.AddRange(files);
        }

        LiveCluster? cluster = null;
        List<ManifestDocument> liveDocuments = [];
        if (request.Live is { } target)
        {
            try
            {
                using var client = target.CreateClient();
                cluster = await ClusterReader.ReadAsync(client, time, cancellationToken);
            }
            catch (ClusterException e)
            {
                return Fail([e.Message], error);
            }

            liveDocuments = Validate(ManifestReader.Read(LivePlan.AsList(cluster), ClusterSource), rejected);

            // As kubectl apply -f would create them: a function that names no namespace goes to the context's (or -n's).
            foreach (var function in documents.Select(d => d.Object).OfType<HandoffFunction>().Where(f => string.IsNullOrEmpty(f.Metadata.NamespaceProperty)))
            {
                function.Metadata.NamespaceProperty = target.Namespace;
            }
        }

        WarnDeprecatedDurations(documents, error);
        if (errors.Count > 0)
        {
            return Fail(errors, error);
        }

        if (request.DiscoverNodes is { } selector)
        {
            documents.AddRange(PlanInput.Discovered([.. liveDocuments, .. documents], selector));
        }

        // An object plan cannot use is named and left out, the rest planned (as the operator skips it).
        var input = PlanInput.Build([.. liveDocuments, .. documents], request.DefaultStrategy);
        rejected.AddRange(input.Rejected);

        PlanDocument document;
        if (cluster is not null)
        {
            var live = LivePlan.Run(cluster, input, cancellationToken);
            document = live.Document;
            if (live.AssumedDurations.Count > 0)
            {
                await error.WriteLineAsync(
                    $"note: no {HandoffApi.DurationAnnotation} annotation on {string.Join(", ", live.AssumedDurations)}: each attempt is taken to last {PlanFunction.DefaultDuration.TotalSeconds:0.###}s (the planner's default), so times after their ends are guesses");
            }
        }
        else
        {
            document = PlanOutput.ToDocument(Planner.Run(input.Nodes, input.Functions, input.Options, cancellationToken), input);
        }

        await output.WriteAsync(request.Format switch
        {
            "json" => PlanOutput.ToJson(document) + Environment.NewLine,
            "yaml" => PlanOutput.ToYaml(document),
            "svg" => SvgWriter.Write(GanttScene.Build(GanttSources.FromPlan(document, Title(request)))),
            _ => PlanOutput.ToTable(document),
        });

        foreach (var problem in rejected.Concat(input.Problems))
        {
            await error.WriteLineAsync($"error: {problem}");
        }

        return rejected.Count + input.Problems.Count > 0 ? ExitInvalidInput : ExitOk;
    }

    /// <summary>The plan input of a cluster's objects alone (for <c>handoff why</c>'s estimate); null with the errors when it has objects plan cannot read.</summary>
    public static PlanInput? LiveInput(LiveCluster cluster, AllocationStrategy defaultStrategy, List<string> errors)
    {
        var documents = Validate(ManifestReader.Read(LivePlan.AsList(cluster), ClusterSource), errors);
        if (errors.Count > 0)
        {
            return null;
        }

        var input = PlanInput.Build(documents, defaultStrategy);
        errors.AddRange(input.Rejected);
        return errors.Count == 0 ? input : null;
    }

    /// <summary>The picture's title: the command that planned it.</summary>
    private static string Title(PlanRequest request) =>
        "handoff plan" + (request.Live is null ? "" : " --live") + (request.DiscoverNodes is { } d ? " --discover-nodes" + (d.Length == 0 ? "" : "=" + d) : "")
        + string.Concat(request.Paths.Select(p => " -f " + p));

    private static int Fail(IEnumerable<string> errors, TextWriter error)
    {
        foreach (var e in errors)
        {
            error.WriteLine($"error: {e}");
        }

        return ExitInvalidInput;
    }

    /// <summary>
    /// <c>handoff.dev/sandbox-duration</c> is the old name of <c>handoff.dev/duration</c>: read as it when the new name
    /// is absent, with a warning naming the function and where it was written.
    /// </summary>
    private static void WarnDeprecatedDurations(IEnumerable<ManifestDocument> documents, TextWriter error)
    {
        foreach (var doc in documents)
        {
            if (doc.Object is HandoffFunction function && DurationAnnotations.Deprecated(function) is { } value)
            {
                error.WriteLine($"warning: {doc.Location}: {doc.Manifest.Describe()}: {DurationAnnotations.DeprecationMessage}");
                function.Metadata.Annotations ??= new Dictionary<string, string>();
                function.Metadata.Annotations.TryAdd(HandoffApi.DurationAnnotation, value);
            }
        }
    }

    /// <summary>
    /// Reads every object of the <c>-f</c> arguments with the one manifest reader (as <c>kubectl apply -R -f</c> would
    /// read them), validated and typed by <see cref="Validate"/>. Returns null when nothing can be planned (no path,
    /// no file); a file that cannot be read is added to <paramref name="errors"/> (nothing is planned), an object the
    /// cluster would refuse to <paramref name="rejected"/> (it is left out, the rest planned).
    /// </summary>
    private static List<ManifestDocument>? LoadFiles(
        IReadOnlyList<string> paths, TextReader standardInput, List<string> errors, List<string> rejected, CancellationToken cancellationToken)
    {
        IReadOnlyList<ManifestFile> files;
        try
        {
            files = ManifestPaths.Expand(paths);
        }
        catch (ManifestException e)
        {
            errors.Add(e.Message);
            return null;
        }

        if (files.Count == 0)
        {
            errors.Add($"no .yaml, .yml or .json files in {string.Join(", ", paths)}");
            return null;
        }

        var documents = new List<ManifestDocument>();
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                documents.AddRange(Validate(ManifestReader.Read(file, standardInput), rejected));
            }
            catch (ManifestException e)
            {
                errors.Add(e.Message);
            }
        }

        return documents;
    }

    /// <summary>
    /// Validates Handoff's objects against the CRD schemas (<see cref="CrdValidator"/>: the API server's rules and
    /// words) and deserializes every object, as stored (defaulted), into the typed models plan knows.
    /// </summary>
    private static List<ManifestDocument> Validate(IEnumerable<ManifestObject> objects, List<string> errors)
    {
        var documents = new List<ManifestDocument>();
        foreach (var obj in objects)
        {
            var read = obj;
            if (CrdValidator.IsHandoffKind(obj))
            {
                var validation = CrdValidator.Validate(obj);
                if (validation.Defaulted is null)
                {
                    errors.AddRange(validation.Errors.Select(e => e.ToString()));
                    continue;
                }

                read = validation.Defaulted;
            }

            try
            {
                documents.Add(ManifestReader.ToTyped(read));
            }
            catch (ManifestException e)
            {
                errors.Add(e.Message);
            }
        }

        return documents;
    }
}
