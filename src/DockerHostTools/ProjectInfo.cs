namespace DockerHostTools.Commands;

/// <summary>
/// The project's home address and the online help made from it (each command's HelpUri). The one source is
/// <c>$ProjectUri</c> in build.ps1: an attribute needs a compile-time constant, so this copy is kept here and
/// build.ps1 Build stops when the two differ.
/// </summary>
internal static class ProjectInfo
{
    /// <summary>The project's home page (the manifest's ProjectUri).</summary>
    public const string ProjectUri = "https://github.com/dockerhosttools/DockerHostTools";

    /// <summary>Where the per-command markdown help lives (docs/ in the repository); a command's HelpUri is this plus its name and ".md".</summary>
    public const string HelpBase = ProjectUri + "/blob/main/docs/";
}
