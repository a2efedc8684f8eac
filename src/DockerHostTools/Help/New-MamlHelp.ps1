<#
.SYNOPSIS
    Writes the module's MAML help (DockerHostTools.dll-Help.xml) and one markdown page per command (docs/) from one
    .psd1 per command in this folder.
.DESCRIPTION
    Everything PowerShell knows comes from the built cmdlets themselves (Get-Command and the cmdlet classes), so help
    never drifts from the code: parameter sets and syntax (with -WhatIf/-Confirm and common parameters), types (the
    real ones, not Nullable`1), aliases, defaults (read from a new instance of the cmdlet class), accepted values
    (enums, ValidateSet), pipeline binding (ByValue/ByPropertyName), wildcard support, INPUTS (what binds by value or
    by property name), outputs and the HelpUri. The words (synopsis, description, parameters, examples, notes) come
    from <Command>.psd1. A command without a help file, or a parameter without a description, fails the build.
    The MAML and the markdown pages are written from one model, so they say the same.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SourcePath,
    [Parameter(Mandatory)] [string] $OutFile,
    # Where to write <Command>.md (the repository's docs/); none when not given.
    [string] $DocsPath
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$module = Import-Module $ModulePath -PassThru -Force
$common = [System.Management.Automation.Cmdlet]::CommonParameters
$riskDescriptions = @{
    WhatIf  = 'Shows what would happen if the command ran. Nothing is changed.'
    Confirm = 'Asks for confirmation before each change.'
}

# ---- type names as PowerShell writes them ------------------------------------------------------------------------
$accelerators = @{}
foreach ($kv in [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')::Get.GetEnumerator()) {
    if ($kv.Key -cmatch '^[a-z]' -and -not $accelerators.ContainsKey($kv.Value)) { $accelerators[$kv.Value] = $kv.Key }
}
function Unwrap([type] $t) { $u = [Nullable]::GetUnderlyingType($t); if ($u) { $u } else { $t } }
function ShortType([type] $t) {
    # As in PowerShell's own syntax lines: string[], int, TimeSpan, IpForwardFamily.
    $t = Unwrap $t
    if ($t.IsArray) { return "$(ShortType $t.GetElementType())[]" }
    if ($accelerators.ContainsKey($t)) { return $accelerators[$t] }
    $t.Name
}
function FullType([type] $t) {
    $t = Unwrap $t
    if ($t.IsArray) { return "$(FullType $t.GetElementType())[]" }
    $t.FullName
}
function FormatDefault($value) {
    if ($null -eq $value) { return 'None' }
    if ($value -is [System.Management.Automation.SwitchParameter]) { return "$($value.IsPresent)" }
    if ($value -is [string]) { return $(if ($value) { $value } else { 'None' }) }
    if ($value -is [System.Collections.IEnumerable]) { $items = @($value); return $(if ($items) { $items -join ', ' } else { 'None' }) }
    "$value"
}

# ---- the model: one object per command, from the metadata and the psd1 --------------------------------------------
$problems = [System.Collections.Generic.List[string]]::new()
$commands = foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $file = Join-Path $SourcePath "$($cmd.Name).psd1"
    if (-not (Test-Path $file)) { $problems.Add("$($cmd.Name): no help file $($cmd.Name).psd1"); continue }
    $h = Import-PowerShellDataFile $file
    foreach ($k in 'Synopsis', 'Description', 'Examples') { if (-not $h[$k]) { $problems.Add("$($cmd.Name): no $k") } }
    $texts = if ($h['Parameters']) { $h['Parameters'] } else { @{} }
    $instance = [Activator]::CreateInstance($cmd.ImplementingType)
    $setNames = @($cmd.ParameterSets.Name)

    $params = foreach ($p in $cmd.Parameters.Values | Where-Object { $_.Name -notin $common } | Sort-Object Name) {
        $text = if ($texts[$p.Name]) { $texts[$p.Name] } elseif ($riskDescriptions[$p.Name]) { $riskDescriptions[$p.Name] } else { $null }
        if (-not $text) { $problems.Add("$($cmd.Name): parameter $($p.Name) has no description") }
        $sets = $p.ParameterSets
        $pipe = @()
        if ($sets.Values.ValueFromPipeline -contains $true) { $pipe += 'ByValue' }
        if ($sets.Values.ValueFromPipelineByPropertyName -contains $true) { $pipe += 'ByPropertyName' }
        $positions = @($sets.Values.Position | Where-Object { $_ -ge 0 } | Sort-Object -Unique)
        $type = Unwrap $p.ParameterType
        $element = if ($type.IsArray) { $type.GetElementType() } else { $type }
        $values = @()
        if ($element.IsEnum) { $values = [enum]::GetNames($element) }
        $vs = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
        if ($vs) { $values = @($vs.ValidValues) }
        $prop = $cmd.ImplementingType.GetProperty($p.Name)
        [pscustomobject]@{
            Name        = $p.Name
            Text        = "$text"
            Type        = $p.ParameterType
            ShortType   = ShortType $p.ParameterType
            FullType    = FullType $p.ParameterType
            IsSwitch    = $p.SwitchParameter
            Required    = $sets.Values.IsMandatory -contains $true
            Position    = if ($positions.Count -eq 1) { "$($positions[0])" } elseif ($positions) { $positions -join ', ' } else { 'Named' }
            Pipeline    = $pipe
            PipelineText = if ($pipe) { "True ($($pipe -join ', '))" } else { 'False' }
            Wildcards   = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            Aliases     = @($p.Aliases)
            Values      = $values
            Default     = if ($prop) { FormatDefault ($prop.GetValue($instance)) } elseif ($p.SwitchParameter) { 'False' } else { 'None' }
            Sets        = if ($sets.ContainsKey('__AllParameterSets') -or @($sets.Keys).Count -eq $setNames.Count) { @('(All)') } else { @($sets.Keys | Sort-Object) }
        }
    }
    if ($instance -is [IDisposable]) { $instance.Dispose() }

    # INPUTS: the types that bind by value, and the property names that bind by name.
    $inputs = [System.Collections.Generic.List[object]]::new()
    foreach ($p in $params | Where-Object { $_.Pipeline -contains 'ByValue' }) {
        $t = if ($p.Type.IsArray) { FullType $p.Type.GetElementType() } else { $p.FullType }
        $inputs.Add([pscustomobject]@{ Type = $t; Text = "Binds to -$($p.Name) by value." })
    }
    $byName = @($params | Where-Object { $_.Pipeline -contains 'ByPropertyName' })
    if ($byName) {
        $names = foreach ($p in $byName) { if ($p.Aliases) { "$($p.Name) (or $($p.Aliases -join ', '))" } else { $p.Name } }
        $inputs.Add([pscustomobject]@{ Type = 'System.Management.Automation.PSObject'; Text = "Any object with properties named $($names -join ', '): each binds to the parameter of that name by property name." })
    }
    if (-not $inputs.Count) { $inputs.Add([pscustomobject]@{ Type = 'None'; Text = 'This command takes no pipeline input.' }) }

    $syntax = foreach ($set in $cmd.ParameterSets) {
        [pscustomobject]@{
            Name       = $set.Name
            IsDefault  = $set.IsDefault
            Line       = "$($cmd.Name) $set"
            Parameters = @($set.Parameters | Where-Object { $_.Name -notin $common } | ForEach-Object {
                $sp = $_; $m = $params | Where-Object Name -eq $sp.Name
                [pscustomobject]@{ Name = $sp.Name; Required = $sp.IsMandatory; Position = $(if ($sp.Position -ge 0) { "$($sp.Position)" } else { 'named' }); Model = $m }
            })
        }
    }

    $outputs = foreach ($o in $cmd.OutputType) {
        [pscustomobject]@{ Type = $(if ($o.Type) { $o.Type.FullName } else { $o.Name }); Short = $o.Name; Text = $(if ($h['Outputs'] -and $h['Outputs'][$o.Name]) { $h['Outputs'][$o.Name] } else { '' }) }
    }

    [pscustomobject]@{
        Name         = $cmd.Name
        Verb         = $cmd.Verb
        Noun         = $cmd.Noun
        HelpUri      = $cmd.HelpUri
        Synopsis     = "$($h['Synopsis'])"
        Description  = "$($h['Description'])"
        Syntax       = @($syntax)
        Parameters   = @($params)
        Inputs       = @($inputs)
        Outputs      = @($outputs)
        Notes        = "$($h['Notes'])"
        Examples     = @($h['Examples'])
        RelatedLinks = @($h['RelatedLinks'] | Where-Object { $_ })
    }
}
if ($problems.Count) { $problems | ForEach-Object { Write-Error $_ -ErrorAction Continue }; exit 1 }

# ---- MAML ----------------------------------------------------------------------------------------------------------
$ns = @{ maml = 'http://schemas.microsoft.com/maml/2004/10'; command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'; dev = 'http://schemas.microsoft.com/maml/dev/2004/10' }
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
New-Item -ItemType Directory -Path (Split-Path $OutFile) -Force | Out-Null
$w = [System.Xml.XmlWriter]::Create($OutFile, $settings)

function Paragraphs([string] $text) { @($text.Trim() -split "\r?\n\s*\r?\n" | ForEach-Object { ($_ -replace '\s*\r?\n\s*', ' ').Trim() } | Where-Object { $_ }) }
function Para([string] $text) {
    foreach ($p in Paragraphs $text) { $w.WriteStartElement('maml', 'para', $ns.maml); $w.WriteString($p); $w.WriteEndElement() }
}
function Desc([string] $text) { $w.WriteStartElement('maml', 'description', $ns.maml); Para $text; $w.WriteEndElement() }
function DevType([string] $name) { $w.WriteStartElement('dev', 'type', $ns.dev); $w.WriteElementString('name', $ns.maml, $name); $w.WriteEndElement() }
function ParamValue($m) {
    if ($m.IsSwitch) { return }
    if ($m.Values) {
        $w.WriteStartElement('command', 'parameterValueGroup', $ns.command)
        foreach ($v in $m.Values) {
            $w.WriteStartElement('command', 'parameterValue', $ns.command); $w.WriteAttributeString('required', 'false'); $w.WriteAttributeString('variableLength', 'false'); $w.WriteString($v); $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }
    $w.WriteStartElement('command', 'parameterValue', $ns.command); $w.WriteAttributeString('required', 'true'); $w.WriteAttributeString('variableLength', "$($m.Type.IsArray)".ToLower()); $w.WriteString($m.ShortType); $w.WriteEndElement()
}
function ParamAttributes($m, [bool] $required, [string] $position) {
    $w.WriteAttributeString('required', "$required".ToLower())
    $w.WriteAttributeString('variableLength', "$($m.Type.IsArray)".ToLower())
    $w.WriteAttributeString('globbing', "$($m.Wildcards)".ToLower())
    $w.WriteAttributeString('pipelineInput', $m.PipelineText)
    $w.WriteAttributeString('position', $position)
    $w.WriteAttributeString('aliases', $(if ($m.Aliases) { $m.Aliases -join ', ' } else { 'none' }))
}

$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh'); $w.WriteAttributeString('schema', 'maml')
foreach ($c in $commands) {
    $w.WriteStartElement('command', 'command', $ns.command)
    $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml); $w.WriteAttributeString('xmlns', 'command', $null, $ns.command); $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
    $w.WriteStartElement('command', 'details', $ns.command)
    $w.WriteElementString('name', $ns.command, $c.Name)
    $w.WriteElementString('verb', $ns.command, $c.Verb)
    $w.WriteElementString('noun', $ns.command, $c.Noun)
    Desc $c.Synopsis
    $w.WriteEndElement()
    Desc $c.Description

    $w.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($s in $c.Syntax) {
        $w.WriteStartElement('command', 'syntaxItem', $ns.command)
        $w.WriteElementString('name', $ns.maml, $c.Name)
        foreach ($sp in $s.Parameters) {
            $w.WriteStartElement('command', 'parameter', $ns.command)
            ParamAttributes $sp.Model $sp.Required $sp.Position
            $w.WriteElementString('name', $ns.maml, $sp.Name)
            Desc $sp.Model.Text
            ParamValue $sp.Model
            DevType $sp.Model.FullType
            $w.WriteElementString('defaultValue', $ns.dev, $sp.Model.Default)
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($m in $c.Parameters) {
        $w.WriteStartElement('command', 'parameter', $ns.command)
        ParamAttributes $m $m.Required $(if ($m.Position -eq 'Named') { 'named' } else { $m.Position })
        $w.WriteElementString('name', $ns.maml, $m.Name)
        Desc $m.Text
        ParamValue $m
        DevType $m.FullType
        $w.WriteElementString('defaultValue', $ns.dev, $m.Default)
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'inputTypes', $ns.command)
    foreach ($i in $c.Inputs) { $w.WriteStartElement('command', 'inputType', $ns.command); DevType $i.Type; Desc $i.Text; $w.WriteEndElement() }
    $w.WriteEndElement()
    $w.WriteStartElement('command', 'returnValues', $ns.command)
    foreach ($o in $c.Outputs) { $w.WriteStartElement('command', 'returnValue', $ns.command); DevType $o.Type; if ($o.Text) { Desc $o.Text }; $w.WriteEndElement() }
    $w.WriteEndElement()
    if ($c.Notes) { $w.WriteStartElement('maml', 'alertSet', $ns.maml); $w.WriteStartElement('maml', 'alert', $ns.maml); Para $c.Notes; $w.WriteEndElement(); $w.WriteEndElement() }

    $w.WriteStartElement('command', 'examples', $ns.command)
    $n = 0
    foreach ($ex in $c.Examples) {
        $n++
        $w.WriteStartElement('command', 'example', $ns.command)
        $w.WriteElementString('title', $ns.maml, "-------------------------- Example $n --------------------------")
        $w.WriteElementString('code', $ns.dev, $ex['Code'].Trim())
        $w.WriteStartElement('dev', 'remarks', $ns.dev); Para $ex['Remarks']; $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    # The first link with a URI is what Get-Help -Online opens.
    $w.WriteStartElement('command', 'relatedLinks', $ns.command)
    if ($c.HelpUri) { $w.WriteStartElement('maml', 'navigationLink', $ns.maml); $w.WriteElementString('linkText', $ns.maml, 'Online Version:'); $w.WriteElementString('uri', $ns.maml, $c.HelpUri); $w.WriteEndElement() }
    foreach ($l in $c.RelatedLinks) {
        $w.WriteStartElement('maml', 'navigationLink', $ns.maml); $w.WriteElementString('linkText', $ns.maml, $l); $w.WriteElementString('uri', $ns.maml, ''); $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Close()
Write-Host "Help for $(@($commands).Count) commands written to $OutFile"

# ---- markdown, one page per command ------------------------------------------------------------------------------
if ($DocsPath) {
    New-Item -ItemType Directory -Path $DocsPath -Force | Out-Null
    $names = @($commands.Name)
    function MdText([string] $text) { (Paragraphs $text) -join "`n`n" }
    foreach ($c in $commands) {
        $md = [System.Text.StringBuilder]::new()
        $add = { param([string] $line = '') [void] $md.Append($line).Append("`n") }
        & $add '---'
        & $add "external help file: $($module.Name).dll-Help.xml"
        & $add "Module Name: $($module.Name)"
        & $add "online version: $($c.HelpUri)"
        & $add '---'
        & $add ''
        & $add "# $($c.Name)"
        & $add ''
        & $add '## SYNOPSIS'
        & $add ''
        & $add (MdText $c.Synopsis)
        & $add ''
        & $add '## SYNTAX'
        foreach ($s in $c.Syntax) {
            & $add ''
            & $add "### $(if ($s.Name -eq '__AllParameterSets') { 'All parameter sets' } else { $s.Name })$(if ($s.IsDefault -and @($c.Syntax).Count -gt 1) { ' (Default)' })"
            & $add ''
            & $add '```'
            & $add $s.Line
            & $add '```'
        }
        & $add ''
        & $add '## DESCRIPTION'
        & $add ''
        & $add (MdText $c.Description)
        & $add ''
        & $add '## EXAMPLES'
        $n = 0
        foreach ($ex in $c.Examples) {
            $n++
            & $add ''
            & $add "### Example $n"
            & $add ''
            & $add '```powershell'
            & $add $ex['Code'].Trim()
            & $add '```'
            & $add ''
            & $add (MdText $ex['Remarks'])
        }
        & $add ''
        & $add '## PARAMETERS'
        foreach ($m in $c.Parameters) {
            & $add ''
            & $add "### -$($m.Name)"
            & $add ''
            & $add (MdText $m.Text)
            & $add ''
            & $add '```yaml'
            & $add "Type: $($m.ShortType)"
            & $add "Parameter Sets: $($m.Sets -join ', ')"
            & $add "Aliases: $(if ($m.Aliases) { $m.Aliases -join ', ' } else { 'None' })"
            if ($m.Values) { & $add "Accepted values: $($m.Values -join ', ')" }
            & $add ''
            & $add "Required: $($m.Required)"
            & $add "Position: $($m.Position)"
            & $add "Default value: $($m.Default)"
            & $add "Accept pipeline input: $($m.PipelineText)"
            & $add "Accept wildcard characters: $($m.Wildcards)"
            & $add '```'
        }
        & $add ''
        & $add '### CommonParameters'
        & $add ''
        & $add 'This command supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutBuffer, -OutVariable, -PipelineVariable, -ProgressAction, -Verbose, -WarningAction, and -WarningVariable. For more information, see [about_CommonParameters](https://go.microsoft.com/fwlink/?LinkID=113216).'
        & $add ''
        & $add '## INPUTS'
        foreach ($i in $c.Inputs) { & $add ''; & $add "### $($i.Type)"; & $add ''; & $add $i.Text }
        & $add ''
        & $add '## OUTPUTS'
        foreach ($o in $c.Outputs) { & $add ''; & $add "### $($o.Type)"; if ($o.Text) { & $add ''; & $add (MdText $o.Text) } }
        if ($c.Notes) { & $add ''; & $add '## NOTES'; & $add ''; & $add (MdText $c.Notes) }
        & $add ''
        & $add '## RELATED LINKS'
        & $add ''
        & $add "[Online Version]($($c.HelpUri))"
        foreach ($l in $c.RelatedLinks) {
            & $add ''
            if ($l -in $names) { & $add "[$l]($l.md)" } else { & $add $l }
        }
        $path = Join-Path $DocsPath "$($c.Name).md"
        $text = $md.ToString()
        # Written only when it changed, so a build leaves unchanged pages untouched.
        if (-not (Test-Path $path) -or (Get-Content $path -Raw) -cne $text) { [IO.File]::WriteAllText($path, $text, [System.Text.UTF8Encoding]::new($false)) }
    }
    foreach ($stale in Get-ChildItem $DocsPath -Filter '*-*.md' | Where-Object { $_.BaseName -notin $names }) { Remove-Item $stale.FullName }
    Write-Host "Markdown help for $(@($commands).Count) commands written to $DocsPath"
}
