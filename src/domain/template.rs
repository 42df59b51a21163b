//! Loop templates: the stages of a loop in order, each with its kind, length,
//! panel, what it probes and the interviewer's guide, read from a small
//! line-based file (like the rubric) and checked completely, so a mistake
//! names its line. `lint` holds the rules about the loop's shape.

use super::rubric::Dimension;
use super::scorecard::Criterion;
use super::stage::{Probe, StageKind, DESIGN_DOC_CANDIDATE_HOURS};
use std::fmt;

/// The template shipped with the bot: today's six stages.
pub const DEFAULT_TEMPLATE: &str = include_str!("../../templates/default.template");
/// The default template's id (its file's stem).
pub const DEFAULT_ID: &str = "default";
/// Longest value of one line, in characters.
pub const MAX_VALUE_CHARS: usize = 300;
/// Longest stage title, in characters.
pub const MAX_TITLE_CHARS: usize = 60;
/// Most stages in one loop (the open form holds two inputs per stage).
pub const MAX_STAGES: usize = 12;
/// Longest live stage, in minutes.
pub const MAX_LENGTH_MINUTES: i64 = 480;
/// Largest panel for one stage.
pub const MAX_PANEL: usize = 8;
/// Templates a picker can hold (Slack: 100 options), the default included.
pub const MAX_TEMPLATES: usize = 100;
/// Longest template id, a file's name without `.template` (Slack: an
/// option's value holds 150 characters).
pub const MAX_ID_CHARS: usize = 150;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StageSpec {
    pub kind: StageKind,
    pub title: String,
    /// Minutes of a live stage; `None` for the asynchronous document.
    pub length_minutes: Option<i64>,
    /// Hours of candidate time (low, high) for the asynchronous document.
    pub candidate_hours: Option<(u32, u32)>,
    /// How many interviewers the stage needs at least.
    pub panel: usize,
    /// The rubric dimensions the card scores; empty for a coding round,
    /// which uses the coding card.
    pub probes: Vec<Dimension>,
    pub guide: Vec<String>,
    /// Where the stage's section starts in its file (0: not from a file).
    pub line: usize,
}

impl StageSpec {
    /// The spec of a stage stored before templates: its kind's defaults
    /// from the default template.
    pub fn default_for(kind: StageKind) -> StageSpec {
        let default = Template::default_template();
        default
            .stages
            .iter()
            .find(|s| s.kind == kind)
            .cloned()
            .unwrap_or_else(|| StageSpec {
                kind,
                title: kind.title().to_string(),
                length_minutes: kind.length_minutes(),
                candidate_hours: None,
                panel: kind.min_interviewers(),
                probes: match kind.probe() {
                    Probe::Dimensions(d) => d.to_vec(),
                    Probe::CodingCard => Vec::new(),
                },
                guide: Vec::new(),
                line: 0,
            })
    }

    pub fn is_live(&self) -> bool {
        self.length_minutes.is_some()
    }

    /// What the stage's card scores, in order.
    pub fn criteria(&self) -> Vec<Criterion> {
        if self.kind == StageKind::Coding {
            return Criterion::for_stage(StageKind::Coding);
        }
        self.probes
            .iter()
            .map(|d| Criterion::Dimension(*d))
            .collect()
    }

    /// `probes` as stored: dimension keys, comma-separated.
    pub fn probes_key(&self) -> String {
        self.probes
            .iter()
            .map(|d| Criterion::Dimension(*d).key())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads `probes_key` back; unknown keys are skipped.
    pub fn parse_probes(raw: &str) -> Vec<Dimension> {
        raw.split(',')
            .filter_map(|k| match Criterion::parse(k.trim()) {
                Some(Criterion::Dimension(d)) => Some(d),
                _ => None,
            })
            .collect()
    }

    /// Hours of candidate time of the asynchronous document.
    pub fn hours(&self) -> (u32, u32) {
        self.candidate_hours.unwrap_or(DESIGN_DOC_CANDIDATE_HOURS)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    /// The file's stem: what the open form stores and the picker sends.
    pub id: String,
    pub name: String,
    pub role_presents: bool,
    /// Design prompts to warn about, on top of the built-in list.
    pub generic_prompts: Vec<String>,
    pub stages: Vec<StageSpec>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub line: usize,
    pub problem: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.problem)
    }
}

impl std::error::Error for TemplateError {}

/// Kinds a loop may hold more than once.
fn may_repeat(kind: StageKind) -> bool {
    matches!(
        kind,
        StageKind::Coding
            | StageKind::SystemDesign
            | StageKind::Presentation
            | StageKind::Behavioural
    )
}

fn yes_no(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    }
}

/// `async 4-8`: hours of candidate time.
fn async_hours(raw: &str) -> Option<(u32, u32)> {
    let rest = raw.strip_prefix("async")?.trim();
    if rest.is_empty() {
        return Some(DESIGN_DOC_CANDIDATE_HOURS);
    }
    let (low, high) = rest.split_once('-')?;
    let (low, high) = (low.trim().parse().ok()?, high.trim().parse().ok()?);
    (0 < low && low <= high && high <= 40).then_some((low, high))
}

/// Minutes of a live stage, or hours of candidate time for the document.
type Length = (Option<i64>, Option<(u32, u32)>);

#[derive(Default)]
struct Draft {
    line: usize,
    title: Option<String>,
    kind: Option<StageKind>,
    length: Option<Length>,
    panel: Option<usize>,
    probes: Option<Vec<Dimension>>,
    probes_line: usize,
    guide: Vec<String>,
}

impl Template {
    pub fn default_template() -> Template {
        static DEFAULT: std::sync::OnceLock<Template> = std::sync::OnceLock::new();
        DEFAULT
            .get_or_init(|| {
                Template::parse(DEFAULT_ID, DEFAULT_TEMPLATE)
                    .expect("the shipped template is valid")
            })
            .clone()
    }

    /// Reads a template. Only the file's form is checked here; `lint` judges
    /// the loop it describes.
    pub fn parse(id: &str, text: &str) -> Result<Template, TemplateError> {
        let err = |line: usize, problem: String| TemplateError { line, problem };
        let mut name: Option<String> = None;
        let mut role_presents: Option<bool> = None;
        let mut generic_prompts = Vec::new();
        let mut drafts: Vec<Draft> = Vec::new();
        let mut last_line = 0;
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            last_line = line_no;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                if section.trim() != "stage" {
                    return Err(err(
                        line_no,
                        format!("unknown section [{section}] (only [stage] sections)"),
                    ));
                }
                if drafts.len() == MAX_STAGES {
                    return Err(err(line_no, format!("more than {MAX_STAGES} stages")));
                }
                drafts.push(Draft {
                    line: line_no,
                    ..Draft::default()
                });
                continue;
            }
            let (key, value) = line
                .split_once(':')
                .ok_or_else(|| err(line_no, "expected `key: value`".into()))?;
            let (key, value) = (key.trim(), value.trim());
            if value.is_empty() {
                return Err(err(line_no, format!("`{key}` has no value")));
            }
            if value.chars().count() > MAX_VALUE_CHARS {
                return Err(err(
                    line_no,
                    format!("`{key}` is longer than {MAX_VALUE_CHARS} characters"),
                ));
            }
            let twice = || err(line_no, format!("`{key}` is given twice"));
            let Some(stage) = drafts.last_mut() else {
                match key {
                    "name" if name.is_some() => return Err(twice()),
                    "name" => name = Some(value.to_string()),
                    "role_presents" if role_presents.is_some() => return Err(twice()),
                    "role_presents" => {
                        role_presents = Some(yes_no(value).ok_or_else(|| {
                            err(line_no, "`role_presents` is `yes` or `no`".into())
                        })?)
                    }
                    "generic_prompt" => generic_prompts.push(value.to_string()),
                    _ => {
                        return Err(err(
                            line_no,
                            format!(
                                "unknown key `{key}` before the first [stage] (expected name, role_presents or generic_prompt)"
                            ),
                        ))
                    }
                }
                continue;
            };
            match key {
                "title" if stage.title.is_some() => return Err(twice()),
                "title" if value.chars().count() > MAX_TITLE_CHARS => {
                    return Err(err(
                        line_no,
                        format!("`title` is longer than {MAX_TITLE_CHARS} characters"),
                    ))
                }
                "title" => stage.title = Some(value.to_string()),
                "kind" if stage.kind.is_some() => return Err(twice()),
                "kind" => {
                    stage.kind = Some(StageKind::parse(value).ok_or_else(|| {
                        let kinds: Vec<&str> = StageKind::KINDS.iter().map(|k| k.key()).collect();
                        err(
                            line_no,
                            format!("unknown kind `{value}` (expected one of {})", kinds.join(", ")),
                        )
                    })?)
                }
                "length" if stage.length.is_some() => return Err(twice()),
                "length" => {
                    stage.length = Some(if value.starts_with("async") {
                        let hours = async_hours(value).ok_or_else(|| {
                            err(line_no, "`length: async` takes hours as `async 4-8`".into())
                        })?;
                        (None, Some(hours))
                    } else {
                        match value.parse::<i64>() {
                            Ok(m) if (5..=MAX_LENGTH_MINUTES).contains(&m) => (Some(m), None),
                            _ => {
                                return Err(err(
                                    line_no,
                                    format!(
                                        "`length` is minutes from 5 to {MAX_LENGTH_MINUTES}, or `async 4-8`"
                                    ),
                                ))
                            }
                        }
                    })
                }
                "panel" if stage.panel.is_some() => return Err(twice()),
                "panel" => match value.parse::<usize>() {
                    Ok(n) if (1..=MAX_PANEL).contains(&n) => stage.panel = Some(n),
                    _ => {
                        return Err(err(
                            line_no,
                            format!("`panel` is a number of interviewers from 1 to {MAX_PANEL}"),
                        ))
                    }
                },
                "probes" if stage.probes.is_some() => return Err(twice()),
                "probes" => {
                    let dims = if value == "all" {
                        Dimension::ALL.to_vec()
                    } else {
                        let mut dims = Vec::new();
                        for key in value.split(',').map(str::trim) {
                            match Criterion::parse(key) {
                                Some(Criterion::Dimension(d)) if !dims.contains(&d) => dims.push(d),
                                Some(Criterion::Dimension(_)) => {
                                    return Err(err(line_no, format!("`{key}` is named twice")))
                                }
                                _ => {
                                    return Err(err(
                                        line_no,
                                        format!("`{key}` is not a rubric dimension"),
                                    ))
                                }
                            }
                        }
                        dims
                    };
                    stage.probes = Some(dims);
                    stage.probes_line = line_no;
                }
                "guide" => stage.guide.push(value.to_string()),
                _ => {
                    return Err(err(
                        line_no,
                        format!(
                            "unknown key `{key}` in a [stage] (expected title, kind, length, panel, probes or guide)"
                        ),
                    ))
                }
            }
        }
        let name = name.ok_or_else(|| err(1, "the template needs a `name`".into()))?;
        if drafts.is_empty() {
            return Err(err(last_line.max(1), "the template has no [stage]".into()));
        }
        let mut stages = Vec::with_capacity(drafts.len());
        for d in drafts {
            let missing = |key: &str| err(d.line, format!("this [stage] needs `{key}`"));
            let kind = d.kind.ok_or_else(|| missing("kind"))?;
            let title = d.title.ok_or_else(|| missing("title"))?;
            let (length_minutes, candidate_hours) = d.length.ok_or_else(|| missing("length"))?;
            let panel = d.panel.ok_or_else(|| missing("panel"))?;
            if (kind == StageKind::DesignDoc) != length_minutes.is_none() {
                return Err(err(
                    d.line,
                    "the written design document, and only it, has `length: async`".into(),
                ));
            }
            let probes = match (kind, d.probes) {
                (StageKind::Coding, None) => Vec::new(),
                (StageKind::Coding, Some(_)) => {
                    return Err(err(
                        d.probes_line,
                        "a coding round is scored on the coding card and takes no `probes`".into(),
                    ))
                }
                (_, None) => return Err(missing("probes")),
                (_, Some(p)) => p,
            };
            if stages
                .iter()
                .any(|s: &StageSpec| s.title.eq_ignore_ascii_case(&title))
            {
                return Err(err(d.line, format!("two stages are called `{title}`")));
            }
            if !may_repeat(kind) && stages.iter().any(|s: &StageSpec| s.kind == kind) {
                return Err(err(
                    d.line,
                    format!("a loop holds one `{}` stage", kind.key()),
                ));
            }
            stages.push(StageSpec {
                kind,
                title,
                length_minutes,
                candidate_hours,
                panel,
                probes,
                guide: d.guide,
                line: d.line,
            });
        }
        Ok(Template {
            id: id.to_string(),
            name,
            role_presents: role_presents.unwrap_or(false),
            generic_prompts,
            stages,
        })
    }

    /// The first stage of `kind`, with its 1-based position.
    pub fn stage_of(&self, kind: StageKind) -> Option<(usize, &StageSpec)> {
        self.stages
            .iter()
            .enumerate()
            .find(|(_, s)| s.kind == kind)
            .map(|(i, s)| (i + 1, s))
    }
}

/// The templates a workspace can pick from, the default first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Templates(Vec<Template>);

/// A template file that cannot be used: where, and why.
#[derive(Debug, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.problem)
    }
}

impl Default for Templates {
    fn default() -> Templates {
        Templates(vec![Template::default_template()])
    }
}

impl Templates {
    /// Reads one template file and lints it: a form mistake or a linter
    /// error makes it unusable, with the line to fix.
    pub fn check_file(path: &std::path::Path) -> Result<Template, LoadError> {
        let file = path.display().to_string();
        let fail = |line: usize, problem: String| LoadError {
            file: file.clone(),
            line,
            problem,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| fail(0, format!("cannot read it: {e}")))?;
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("template")
            .to_string();
        let t = Template::parse(&id, &text).map_err(|e| fail(e.line, e.problem))?;
        if let Some(f) = super::lint::template(&t).into_iter().find(|f| f.is_error()) {
            return Err(fail(f.line.max(1), crate::messages::finding_text(&f)));
        }
        Ok(t)
    }

    /// Every `*.template` file in `dir`, in name order, after the built-in
    /// default (which a `default.template` there replaces).
    pub fn load_dir(dir: &std::path::Path) -> Result<Templates, LoadError> {
        let entries = std::fs::read_dir(dir).map_err(|e| LoadError {
            file: dir.display().to_string(),
            line: 0,
            problem: format!("cannot read the folder: {e}"),
        })?;
        let mut paths: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "template"))
            .collect();
        paths.sort();
        let mut out = Templates::default();
        if paths.len() >= MAX_TEMPLATES {
            return Err(LoadError {
                file: dir.display().to_string(),
                line: 0,
                problem: format!(
                    "more than {} templates (the picker shows {MAX_TEMPLATES})",
                    MAX_TEMPLATES - 1
                ),
            });
        }
        for path in paths {
            let t = Templates::check_file(&path)?;
            if t.id.chars().count() > MAX_ID_CHARS {
                return Err(LoadError {
                    file: path.display().to_string(),
                    line: 0,
                    problem: format!("the file's name is longer than {MAX_ID_CHARS} characters"),
                });
            }
            if t.id == DEFAULT_ID {
                out.0[0] = t;
            } else {
                out.0.push(t);
            }
        }
        Ok(out)
    }

    pub fn all(&self) -> &[Template] {
        &self.0
    }

    pub fn default_template(&self) -> &Template {
        &self.0[0]
    }

    /// The template with this id; the default for an unknown one.
    pub fn get(&self, id: &str) -> &Template {
        self.0.iter().find(|t| t.id == id).unwrap_or(&self.0[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_template_is_todays_loop() {
        let t = Template::default_template();
        let kinds: Vec<StageKind> = t.stages.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, StageKind::ALL.to_vec());
        for s in &t.stages {
            assert_eq!(s.length_minutes, s.kind.length_minutes(), "{}", s.title);
            assert_eq!(s.panel, s.kind.min_interviewers(), "{}", s.title);
            assert_eq!(s.criteria(), Criterion::for_stage(s.kind), "{}", s.title);
            assert_eq!(s.title, s.kind.title());
        }
        assert_eq!(t.stages[1].hours(), DESIGN_DOC_CANDIDATE_HOURS);
        assert!(!t.role_presents);
    }

    #[test]
    fn a_folder_adds_templates_after_the_default_and_may_replace_it() {
        let dir = tempfile::tempdir().unwrap();
        let other = DEFAULT_TEMPLATE.replace("name: Staff loop (default)", "name: Platform");
        std::fs::write(dir.path().join("platform.template"), &other).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a template").unwrap();
        let t = Templates::load_dir(dir.path()).unwrap();
        let names: Vec<&str> = t.all().iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Staff loop (default)", "Platform"]);
        assert_eq!(t.get("platform").name, "Platform");
        assert_eq!(t.get("gone").id, DEFAULT_ID, "an unknown id is the default");
        let ours = DEFAULT_TEMPLATE.replace("name: Staff loop (default)", "name: Ours");
        std::fs::write(dir.path().join("default.template"), &ours).unwrap();
        let t = Templates::load_dir(dir.path()).unwrap();
        assert_eq!(t.default_template().name, "Ours");
        assert_eq!(t.all().len(), 2);
    }

    #[test]
    fn mistakes_name_their_line() {
        let cases = [
            ("name: x\n[stage]\ntitle: A\nkind: lunch\n", 4, "unknown kind"),
            ("name: x\n[stage]\ntitle: A\nkind: coding\nlength: 60\n", 2, "needs `panel`"),
            ("name: x\n[stage]\ntitle: A\nkind: coding\nlength: 3 h\n", 5, "`length` is minutes"),
            ("name: x\n[stages]\n", 2, "unknown section"),
            ("[stage]\ntitle: A\n", 1, "needs a `name`"),
            ("name: x\n\n[stage]\nkind: hm_screen\ntitle: A\nlength: 60\npanel: 1\nprobes: scope\n", 8, "not a rubric dimension"),
            ("name: x\n[stage]\ntitle: A\nkind: coding\nlength: 60\npanel: 1\nprobes: scope_of_judgement\n", 7, "coding card"),
            ("name: x\n[stage]\ntitle: A\nkind: design_doc\nlength: 60\npanel: 1\nprobes: scope_of_judgement\n", 2, "async"),
            ("name: x\nname: y\n", 2, "twice"),
        ];
        for (text, line, problem) in cases {
            let e = Template::parse("t", text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.problem.contains(problem), "{text:?}: {e}");
        }
    }
}
