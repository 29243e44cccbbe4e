namespace Handoff.Sandbox;

/// <summary>A request the emulator refused (the message is the API server's), or a manifest that could not be applied.</summary>
public sealed class SandboxException : Exception
{
    public SandboxException()
    {
    }

    public SandboxException(string message)
        : base(message)
    {
    }

    public SandboxException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>The HTTP status the API would have answered (0 when not an API error).</summary>
    public int StatusCode { get; init; }
}
