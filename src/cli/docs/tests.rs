use super::*;
use crate::cli::parse_from;

fn file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("userstream.toml");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn args(list: &[&str]) -> Vec<std::ffi::OsString> {
    std::iter::once("userstream")
        .chain(list.iter().copied())
        .map(Into::into)
        .collect()
}

#[test]
fn the_example_names_every_key_its_variable_and_round_trips_through_check() {
    let text = example();
    let command = scope::command();
    for (arg, long) in file_keys(&command) {
        assert!(text.contains(&format!("{long} = ")), "{long} missing");
        if let Some(env) = arg.get_env() {
            assert!(
                text.contains(&*env.to_string_lossy()),
                "{long}'s env missing"
            );
        }
    }
    assert!(text.contains("\nrate-max = ") || text.contains("\nretry-max = \"30s\""));
    assert!(
        text.contains("\n# cassandra-password = "),
        "a secret stays commented"
    );
    let (_dir, path) = file(&text);
    let found = check_file(&path);
    assert!(
        found.errors.is_empty() && found.warnings.is_empty(),
        "{found:?}"
    );
    // Its values are the defaults: a run reading it is the run without it.
    let p = path.to_str().unwrap();
    let with = parse_from(args(&["--config", p])).unwrap();
    let without = parse_from(args(&[])).unwrap();
    assert_eq!(format!("{:?}", with.run), format!("{:?}", without.run));
    assert_eq!(with.data_dir, without.data_dir);
}

#[test]
fn check_finds_every_unknown_key_bad_value_and_secret() {
    let (_dir, path) = file(
        "speed = 3\nrate = \"fast\"\ncassandra-user = \"app\"\n\
         cassandra-password = \"hunter2\"\nkafka-property = [\"sasl.password=hunter3\"]\n\
         headless = \"yes\"\n",
    );
    let found = check_file(&path);
    let errors = found.errors.join("\n");
    assert_eq!(found.errors.len(), 3, "{errors}");
    assert!(errors.contains("unknown key 'speed'"), "{errors}");
    assert!(
        errors.contains("--rate") && errors.contains("'fast'"),
        "{errors}"
    );
    assert!(errors.contains("'headless' is a switch"), "{errors}");
    let warnings = found.warnings.join("\n");
    assert_eq!(found.warnings.len(), 2, "{warnings}");
    assert!(
        warnings.contains("USERSTREAM_CASSANDRA_PASSWORD"),
        "{warnings}"
    );
    assert!(warnings.contains("sasl.password"), "{warnings}");
    for shown in [&errors, &warnings] {
        assert!(!shown.contains("hunter"), "{shown}");
    }
    // Keys that are fine one by one, but not together.
    let (_dir, path) = file("drain = true\n");
    let found = check_file(&path);
    assert!(
        found.errors[0].contains("--drain needs --role process"),
        "{found:?}"
    );
    let (_dir, path) = file("rate = 5\nnot toml\n");
    assert!(check_file(&path).errors[0].contains("not valid TOML (line 2)"));
}

#[test]
fn completions_and_the_man_page_cover_the_subcommands_and_flags() {
    for shell in [
        clap_complete::Shell::Bash,
        clap_complete::Shell::Zsh,
        clap_complete::Shell::Fish,
    ] {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut scope::command(), "userstream", &mut out);
        let text = String::from_utf8(out).unwrap();
        for word in ["dead-letters", "lag", "--brokers", "--data-dir"] {
            assert!(text.contains(word), "{shell:?}: {word} missing");
        }
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(scope::command())
        .render(&mut page)
        .unwrap();
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH userstream"),
        "{page}"
    );
    assert!(
        page.contains("USERSTREAM_RATE") && page.contains("dead\\-letters"),
        "{page}"
    );
}
