namespace Handoff.Api.Mapping;

/// <summary>
/// A HandoffNode or HandoffFunction that cannot be used. The message names the object and the field, e.g.
/// <c>HandoffFunction default/transform: spec.cost[cpu]: invalid quantity "abc"</c>.
/// </summary>
public sealed class ManifestValidationException : Exception
{
    public ManifestValidationException(string objectReference, string field, string problem)
        : base($"{objectReference}: {field}: {problem}")
    {
        ObjectReference = objectReference;
        Field = field;
        Problem = problem;
    }

    public ManifestValidationException()
    {
        ObjectReference = Field = Problem = "";
    }

    public ManifestValidationException(string message)
        : base(message)
    {
        ObjectReference = Field = "";
        Problem = message;
    }

    public ManifestValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        ObjectReference = Field = "";
        Problem = message;
    }

    /// <summary><c>HandoffNode gpu-1</c> or <c>HandoffFunction default/transform</c>.</summary>
    public string ObjectReference { get; }

    /// <summary>The field path, e.g. <c>spec.cost[cpu]</c>.</summary>
    public string Field { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
