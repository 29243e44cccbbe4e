namespace Handoff.Cli.Tests;

/// <summary>A temporary directory of manifest files, deleted on dispose.</summary>
internal sealed class TempManifests : IDisposable
{
    public TempManifests()
    {
        Directory.CreateDirectory(Root);
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "handoff-plan-" + Guid.NewGuid().ToString("N"));

    public string Write(string name, string content)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
