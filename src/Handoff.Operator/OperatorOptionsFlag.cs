namespace Handoff.Operator;

/// <summary>
/// One flag of the operator as <c>--help</c> and docs/operator.md show it: its name, what it sets, the environment
/// variables read when it is not given (in order) and the default when neither is.
/// </summary>
public sealed class OperatorOptionsFlag
{
    public required string Name { get; init; }

    /// <summary>What the value looks like in the usage (<c>--metrics-address &lt;HOST:PORT&gt;</c>).</summary>
    public required string ValueName { get; init; }

    public required string Description { get; init; }

    public required IReadOnlyList<string> EnvironmentVariables { get; init; }

    public required string Default { get; init; }

    /// <summary>A boolean switch: given bare (<c>--leader-elect</c>) it means true.</summary>
    public bool IsSwitch { get; init; }

    /// <summary>Sets the option from the value given (checked afterwards by <see cref="OperatorOptions.Validate"/>).</summary>
    public required Func<OperatorOptions, string, OperatorOptions> Apply { get; init; }

    /// <summary>The flag's line in <c>--help</c>: what it does, its variables, its default.</summary>
    public string HelpText => $"{Description} [env: {string.Join(", then ", EnvironmentVariables)}] [default: {Default}]";
}
