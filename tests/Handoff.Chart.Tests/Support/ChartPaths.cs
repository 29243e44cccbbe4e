using Handoff.Testing;

namespace Handoff.Chart.Tests.Support;

/// <summary>This project's own files, and the operator's permission list the chart's RBAC must cover.</summary>
internal static class ChartPaths
{
    public static string TestValues => Path.Combine(RepoPaths.Root, "tests", "Handoff.Chart.Tests", "values");

    public static string BadValues => Path.Combine(RepoPaths.Root, "tests", "Handoff.Chart.Tests", "bad-values");

    public static string RequiredPermissions => Path.Combine(RepoPaths.Root, "src", "Handoff.Operator", "Rbac", "required-permissions.yaml");
}
