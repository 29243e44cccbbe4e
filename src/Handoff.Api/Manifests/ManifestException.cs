namespace Handoff.Api.Manifests;

/// <summary>
/// A manifest that cannot be read: a missing path, malformed YAML or JSON, a document that is not a Kubernetes
/// object, or an object the typed models cannot hold. The message starts with the location when there is one
/// (<c>dag.yaml:12: ...</c>).
/// </summary>
public sealed class ManifestException : Exception
{
    public ManifestException(ManifestLocation location, string problem, Exception? innerException = null)
        : base($"{location}: {problem}", innerException)
    {
        Location = location;
        Problem = problem;
    }

    public ManifestException()
    {
        Problem = "";
    }

    public ManifestException(string message)
        : base(message)
    {
        Problem = message;
    }

    public ManifestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problem = message;
    }

    /// <summary>Where the problem is; null when it concerns no file position (e.g. a missing path).</summary>
    public ManifestLocation? Location { get; }

    /// <summary>The message without the location.</summary>
    public string Problem { get; }
}
