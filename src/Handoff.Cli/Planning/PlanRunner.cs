using Handoff.Api.Crds.Validation;
using Handoff.Api.Manifests;
using Handoff.Core.Allocation;
using Handoff.Core.Planning;

namespace Handoff.Cli.Planning;

/// <summary>Runs <c>handoff plan</c>: load, validate, simulate, print.</summary>
internal static class PlanRunner
{
    public const int ExitOk = 0;
    public const int ExitInvalidInput = 1;

    /// <summary>
    /// Loads every file, prints the plan to <paramref name="output"/> and problems to <paramref name="error"/>.
    /// Returns 0 when the plan is valid; 1 for invalid input (nothing is planned) or for a plan with unknown args,
    /// unknown collocateWith targets or cycles (the plan is printed, then the errors).
    /// </summary>
    public static int Run(IReadOnlyList<string> paths, AllocationStrategy defaultStrategy, string format, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        Run(paths, defaultStrategy, format, Console.In, output, error, cancellationToken);

    /// <summary>As above, with <paramref name="standardInput"/> read for <c>-f -</c>.</summary>
    public static int Run(
        IReadOnlyList<string> paths, AllocationStrategy defaultStrategy, string format, TextReader standardInput, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var (documents, errors) = Load(paths, standardInput, cancellationToken);
        if (documents is null)
        {
            foreach (var e in errors)
            {
                error.WriteLine($"error: {e}");
            }

            return ExitInvalidInput;
        }

        PlanInput? input = null;
        try
        {
            input = PlanInput.Build(documents, defaultStrategy);
        }
        catch (PlanInputException e)
        {
            errors.AddRange(e.Errors);
        }

        if (errors.Count > 0 || input is null)
        {
            foreach (var e in errors)
            {
                error.WriteLine($"error: {e}");
            }

            return ExitInvalidInput;
        }

        var plan = Planner.Run(input.Nodes, input.Functions, input.Options, cancellationToken);
        var document = PlanOutput.ToDocument(plan, input);
        output.Write(format switch
        {
            "json" => PlanOutput.ToJson(document) + Environment.NewLine,
            "yaml" => PlanOutput.ToYaml(document),
            _ => PlanOutput.ToTable(plan, input),
        });

        foreach (var problem in input.Problems)
        {
            error.WriteLine($"error: {problem}");
        }

        return input.Problems.Count > 0 ? ExitInvalidInput : ExitOk;
    }

    /// <summary>
    /// Reads every object of the <c>-f</c> arguments with the one manifest reader (as <c>kubectl apply -R -f</c> would
    /// read them), validates Handoff's objects against the CRD schemas (<see cref="CrdValidator"/>) and deserializes them
    /// into the typed models <c>plan</c> knows. Returns null documents when nothing can be planned (no path,
    /// no file); otherwise every problem found is in the list, each naming file, line, object and field.
    /// </summary>
    private static (List<ManifestDocument>? Documents, List<string> Errors) Load(IReadOnlyList<string> paths, TextReader standardInput, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        IReadOnlyList<ManifestFile> files;
        try
        {
            files = ManifestPaths.Expand(paths);
        }
        catch (ManifestException e)
        {
            errors.Add(e.Message);
            return (null, errors);
        }

        if (files.Count == 0)
        {
            errors.Add($"no .yaml, .yml or .json files in {string.Join(", ", paths)}");
            return (null, errors);
        }

        var documents = new List<ManifestDocument>();
        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<ManifestObject> objects;
            try
            {
                objects = ManifestReader.Read(file, standardInput);
            }
            catch (ManifestException e)
            {
                errors.Add(e.Message);
                continue;
            }

            foreach (var obj in objects)
            {
                var read = obj;
                if (CrdValidator.IsHandoffKind(obj))
                {
                    // The schema the API server uses decides, with its words; plan then reads the object as stored (defaulted).
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
        }

        return (documents, errors);
    }
}
