using Handoff.Api.Mapping;
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
        var documents = new List<ManifestDocument>();
        var errors = new List<string>();
        IReadOnlyList<string> files;
        try
        {
            files = ManifestFiles.Expand(paths);
        }
        catch (FileNotFoundException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitInvalidInput;
        }

        if (files.Count == 0)
        {
            error.WriteLine($"error: no *.yaml or *.yml files in {string.Join(", ", paths)}");
            return ExitInvalidInput;
        }

        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                documents.AddRange(file == ManifestFiles.StandardInput
                    ? HandoffYaml.Load(standardInput.ReadToEnd(), "<stdin>")
                    : HandoffYaml.Load(File.ReadAllText(file), file));
            }
            catch (ManifestLoadException e)
            {
                errors.Add(e.Message);
            }
            catch (IOException e)
            {
                errors.Add($"{file}: {e.Message}");
            }
            catch (UnauthorizedAccessException e)
            {
                errors.Add($"{file}: {e.Message}");
            }
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

        var plan = Planner.Run(input.Nodes, input.Functions, cancellationToken);
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
}
