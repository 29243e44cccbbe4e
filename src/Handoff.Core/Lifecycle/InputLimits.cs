namespace Handoff.Core.Lifecycle;

/// <summary>
/// The bounds on what a function is handed (api.md "Bad input", issue 16): past them the pod could not be created or
/// its program not started, so the function fails with reason <see cref="Reasons.InputTooLarge"/> before any pod is
/// created. The operator and the planner both check them through <see cref="FunctionInputs.Check"/>.
/// </summary>
public static class InputLimits
{
    /// <summary>
    /// At most this many <c>args</c> (the CRD schema's <c>maxItems</c> too): 256 results of up to 4096 bytes are 1 MiB,
    /// already over <see cref="MaxArgsBytes"/>, so more could never be handed on in full.
    /// </summary>
    public const int MaxArgs = 256;

    /// <summary>
    /// The kernel refuses to start a program whose environment holds a string over 128 KiB (<c>MAX_ARG_STRLEN</c>, 32
    /// pages), counting <c>HANDOFF_ARGS=</c> and the terminating NUL: what is left for the JSON array.
    /// </summary>
    public const int MaxArgsBytes = (128 * 1024) - 13 - 1;

    /// <summary>
    /// The HANDOFF_* environment of all of a pod's containers together (<c>NAME=value</c> bytes): the API server stores
    /// objects up to 1.5 MiB (etcd's request limit), and the template and the JSON encoding of the pod need the rest.
    /// </summary>
    public const int MaxPodEnvironmentBytes = 1024 * 1024;
}
