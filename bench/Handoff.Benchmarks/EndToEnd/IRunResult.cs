namespace Handoff.Benchmarks.EndToEnd;

/// <summary>What a scenario run measured, for the console, the summary columns and <c>EndToEnd-runs.jsonl</c>.</summary>
public interface IRunResult
{
    /// <summary>One line for a person.</summary>
    string Describe();

    /// <summary>The numbers the summary columns show, by name.</summary>
    IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>Everything worth keeping (serialized to JSON as is), without per-function samples.</summary>
    object Details { get; }
}
