namespace DockerHostTools.Core.Tests;

/// <summary>Captured real tool output under Fixtures/.</summary>
internal static class Fixture
{
    public static string Read(string tool, string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", tool, name));
}
