using System.Text.Json.Nodes;
using Handoff.Chart.Tests.Support;

namespace Handoff.Chart.Tests;

/// <summary>
/// The Dockerfile cannot be built here (no container engine), so CI checks what it runs: `dotnet publish` of the
/// operator, the published entry point the image's ENTRYPOINT names, and the runtime the base image provides.
/// </summary>
public sealed class PublishTests
{
    [Fact]
    public async Task Operator_publishes_and_the_published_binary_starts()
    {
        var ct = TestContext.Current.CancellationToken;
        var output = Directory.CreateTempSubdirectory("handoff-publish-");
        try
        {
            var publish = await Processes.RunAsync(
                "dotnet",
                ["publish", "src/Handoff.Operator/Handoff.Operator.csproj", "-c", "Release", "-o", output.FullName, "-p:UseAppHost=false", "--nologo"],
                TimeSpan.FromMinutes(5),
                ct);
            Assert.True(publish.Succeeded, publish.ToString());

            // The Dockerfile's ENTRYPOINT is `dotnet Handoff.Operator.dll`, on the aspnet base image.
            Assert.True(File.Exists(Path.Combine(output.FullName, "Handoff.Operator.dll")));
            var runtimeConfig = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output.FullName, "Handoff.Operator.runtimeconfig.json"), ct))!;
            var frameworks = (runtimeConfig["runtimeOptions"]!["frameworks"] as JsonArray ?? [runtimeConfig["runtimeOptions"]!["framework"]])
                .Select(f => f!["name"]!.GetValue<string>()).ToList();
            Assert.Contains("Microsoft.AspNetCore.App", frameworks);
            var dockerfile = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "Dockerfile"), ct);
            Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfile, StringComparison.Ordinal);
            Assert.Contains("ENTRYPOINT [\"dotnet\", \"Handoff.Operator.dll\"]", dockerfile, StringComparison.Ordinal);

            // The published binary runs: a bad flag is reported with the usage and exit code 2, before any cluster access.
            var run = await Processes.RunAsync(
                "dotnet", [Path.Combine(output.FullName, "Handoff.Operator.dll"), "--no-such-flag"], TimeSpan.FromSeconds(60), ct);
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("--no-such-flag", run.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public void Dockerfile_copies_every_project_the_operator_references()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile"));
        var pending = new Queue<string>(["src/Handoff.Operator/Handoff.Operator.csproj"]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            var dir = Path.GetDirectoryName(project)!.Replace('\\', '/');
            Assert.Contains($"COPY {project} {dir}/", dockerfile, StringComparison.Ordinal);
            Assert.Contains($"COPY {dir}/ {dir}/", dockerfile, StringComparison.Ordinal);
            var xml = System.Xml.Linq.XDocument.Load(Path.Combine(RepoPaths.Root, project));
            foreach (var reference in xml.Descendants("ProjectReference").Select(r => r.Attribute("Include")!.Value))
            {
                var full = Path.GetFullPath(Path.Combine(RepoPaths.Root, dir, reference.Replace('\\', '/')));
                pending.Enqueue(Path.GetRelativePath(RepoPaths.Root, full).Replace('\\', '/'));
            }
        }

        Assert.Contains("USER 1654", dockerfile, StringComparison.Ordinal);
        var ignore = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore"));
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
    }
}
