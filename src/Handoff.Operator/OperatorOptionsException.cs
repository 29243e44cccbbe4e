namespace Handoff.Operator;

/// <summary>A flag, environment variable or option value the operator cannot run with; its message says which and why.</summary>
public sealed class OperatorOptionsException(string message, string? flag = null) : Exception(message)
{
    /// <summary>The flag whose value is wrong (e.g. <c>--default-strategy</c>), when one is.</summary>
    public string? Flag { get; } = flag;
}
