//! Table tests per grammar feature. Each expected value is what BuildKit's
//! own parser (v0.12.5, through the `dockerfile==3.4.0` bindings and the
//! corpus recorder) gives for the source, in the corpus' JSON shape.
//! Further down: spans, diagnostics (line:column, message, help), warnings
//! and the AST fields the corpus JSON does not show.

use layerlab::dockerfile::corpus_json::corpus_json_string;
use layerlab::dockerfile::{parse, Keyword, Severity};

/// (name, Dockerfile source, BuildKit's output as JSON)
const CASES: &[(&str, &str, &str)] = &[
    (
        "escape_backtick_continuation_and_words",
        "# escape=`\nFROM a\nRUN echo `\n  hi \\\nENV A=b`\\ c D=\"e f\"\nCOPY --chown=a `\n b c\n",
        r#"{"error": "Syntax error - can't find = in \"c\". Must be of the form: name=value"}"#,
    ),
    (
        "escape_directive_case_and_spaces",
        "#  ESCAPE  =  `  \nFROM a\nRUN a `\n b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN a  b", "value": ["a  b"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 4, "heredocs": []}]"#,
    ),
    (
        "escape_directive_indented",
        "   # escape=`\nFROM a\nRUN a `\n b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN a  b", "value": ["a  b"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 4, "heredocs": []}]"#,
    ),
    (
        "escape_after_blank_line_is_a_comment",
        "\n# escape=`\nFROM a\nRUN a `\n b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN a `", "value": ["a `"], "flags": [], "sub_flags": null, "start_line": 4, "end_line": 4, "heredocs": []}, {"cmd": "b", "sub_cmd": null, "json": false, "original": "b", "value": [""], "flags": [], "sub_flags": null, "start_line": 5, "end_line": 5, "heredocs": []}]"#,
    ),
    (
        "escape_after_unknown_directive_is_a_comment",
        "# foo=bar\n# escape=`\nFROM a\nRUN a `\n b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN a `", "value": ["a `"], "flags": [], "sub_flags": null, "start_line": 4, "end_line": 4, "heredocs": []}, {"cmd": "b", "sub_cmd": null, "json": false, "original": "b", "value": [""], "flags": [], "sub_flags": null, "start_line": 5, "end_line": 5, "heredocs": []}]"#,
    ),
    (
        "check_ends_directives_in_v0_12_5",
        "# check=skip=all\n# escape=`\nFROM a\nRUN a `\n b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN a `", "value": ["a `"], "flags": [], "sub_flags": null, "start_line": 4, "end_line": 4, "heredocs": []}, {"cmd": "b", "sub_cmd": null, "json": false, "original": "b", "value": [""], "flags": [], "sub_flags": null, "start_line": 5, "end_line": 5, "heredocs": []}]"#,
    ),
    (
        "bom_then_escape_directive",
        "\u{feff}# escape=`\nFROM a\nRUN a `\n b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN a  b", "value": ["a  b"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 4, "heredocs": []}]"#,
    ),
    (
        "heredoc_chomp_tab_terminator",
        "FROM a\nRUN <<-EOF\n\techo hi\n\tEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN <<-EOF", "value": ["<<-EOF"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 4, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "\techo hi\n"}]}]"#,
    ),
    (
        "heredoc_quoted_name",
        "FROM a\nRUN <<\"EOF\" cat\n$x\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN <<\"EOF\" cat", "value": ["<<\"EOF\" cat"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 4, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "$x\n"}]}]"#,
    ),
    (
        "heredoc_fd",
        "FROM a\nRUN 3<<EOF cat <&3\nx\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN 3<<EOF cat <&3", "value": ["3<<EOF cat <&3"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 4, "heredocs": [{"name": "EOF", "file_descriptor": 3, "content": "x\n"}]}]"#,
    ),
    (
        "heredoc_two_then_next_instruction",
        "FROM a\nRUN <<A <<B\na\nA\nb\nB\nRUN x\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN <<A <<B", "value": ["<<A <<B"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 6, "heredocs": [{"name": "A", "file_descriptor": 0, "content": "a\n"}, {"name": "B", "file_descriptor": 0, "content": "b\n"}]}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN x", "value": ["x"], "flags": [], "sub_flags": null, "start_line": 7, "end_line": 7, "heredocs": []}]"#,
    ),
    (
        "heredoc_in_onbuild",
        "FROM a\nONBUILD RUN <<EOF\nhi\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "onbuild", "sub_cmd": "run", "json": false, "original": "ONBUILD RUN <<EOF", "value": ["<<EOF"], "flags": [], "sub_flags": [], "start_line": 2, "end_line": 4, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "hi\n"}]}]"#,
    ),
    (
        "heredoc_not_in_exec_form",
        "FROM a\nRUN [\"<<EOF\"]\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": true, "original": "RUN [\"<<EOF\"]", "value": ["<<EOF"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "eof", "sub_cmd": null, "json": false, "original": "EOF", "value": [""], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "heredoc_not_in_cmd",
        "FROM a\nCMD <<EOF\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "cmd", "sub_cmd": null, "json": false, "original": "CMD <<EOF", "value": ["<<EOF"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "eof", "sub_cmd": null, "json": false, "original": "EOF", "value": [""], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "heredoc_needs_word_start",
        "FROM a\nRUN cat<<EOF\nx\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN cat<<EOF", "value": ["cat<<EOF"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "x", "sub_cmd": null, "json": false, "original": "x", "value": [""], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "heredoc_quoted_marker_is_text",
        "FROM a\nRUN echo \"<<EOF\"\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN echo \"<<EOF\"", "value": ["echo \"<<EOF\""], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "heredoc_crlf_body_kept",
        "FROM a\r\nRUN <<EOF\r\nhi\r\nEOF\r\nRUN x\r\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN <<EOF", "value": ["<<EOF"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 4, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "hi\r\n"}]}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN x", "value": ["x"], "flags": [], "sub_flags": null, "start_line": 5, "end_line": 5, "heredocs": []}]"#,
    ),
    (
        "heredoc_name_with_space_in_quotes",
        "FROM a\nRUN <<'E O'\nx\nE O\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN <<'E O'", "value": ["<<'E O'"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 4, "heredocs": [{"name": "E O", "file_descriptor": 0, "content": "x\n"}]}]"#,
    ),
    (
        "heredoc_escaped_name",
        "FROM a\nRUN <<E\\OF\nx\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN <<E\\OF", "value": ["<<E\\OF"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 4, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "x\n"}]}]"#,
    ),
    (
        "heredoc_bad_substitution_opens_none",
        "FROM a\nRUN <<EOF ${X%y}\nx\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN <<EOF ${X%y}", "value": ["<<EOF ${X%y}"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "x", "sub_cmd": null, "json": false, "original": "x", "value": [""], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}, {"cmd": "eof", "sub_cmd": null, "json": false, "original": "EOF", "value": [""], "flags": [], "sub_flags": null, "start_line": 4, "end_line": 4, "heredocs": []}]"#,
    ),
    (
        "heredoc_copy_chomp_quoted",
        "FROM a\nCOPY <<-\"EOF\" /x\n\t\tline\n\tEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "copy", "sub_cmd": null, "json": false, "original": "COPY <<-\"EOF\" /x", "value": ["<<-\"EOF\"", "/x"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 4, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "\t\tline\n"}]}]"#,
    ),
    (
        "heredoc_after_continuation",
        "FROM a\nRUN echo \\\n <<EOF\nx\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN echo  <<EOF", "value": ["echo  <<EOF"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 5, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "x\n"}]}]"#,
    ),
    (
        "heredoc_with_flags",
        "FROM a\nRUN --mount=type=cache,target=/x <<EOF\nx\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN --mount=type=cache,target=/x <<EOF", "value": ["<<EOF"], "flags": ["--mount=type=cache,target=/x"], "sub_flags": null, "start_line": 2, "end_line": 4, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "x\n"}]}]"#,
    ),
    (
        "crlf_continuation",
        "FROM a\r\nRUN a \\\r\n  b\r\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN a   b", "value": ["a   b"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "korean_text_and_flag_bytes",
        "FROM ubuntu\nRUN echo 안녕하세요 \\\n  세계\nLABEL 설명=\"한국어 라벨\"\nCOPY --chown=사용자 a b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM ubuntu", "value": ["ubuntu"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN echo 안녕하세요   세계", "value": ["echo 안녕하세요   세계"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 3, "heredocs": []}, {"cmd": "label", "sub_cmd": null, "json": false, "original": "LABEL 설명=\"한국어 라벨\"", "value": ["설명", "\"한국어 라벨\""], "flags": [], "sub_flags": null, "start_line": 4, "end_line": 4, "heredocs": []}, {"cmd": "copy", "sub_cmd": null, "json": false, "original": "COPY --chown=사용자 a b", "value": ["a", "b"], "flags": ["--chown=ì¬ì©ì"], "sub_flags": null, "start_line": 5, "end_line": 5, "heredocs": []}]"#,
    ),
    (
        "nbsp_ends_flag_word",
        "FROM a\nRUN --a=b\u{a0}c d\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN --a=b c d", "value": ["c d"], "flags": ["--a=bÂ"], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "empty_continuation_line",
        "FROM a\nRUN a \\\n\n  b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN a   b", "value": ["a   b"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 4, "heredocs": []}]"#,
    ),
    (
        "blank_and_comment_inside_continuation",
        "FROM a\nRUN a \\\n   \n  # c\n  b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN a   b", "value": ["a   b"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 5, "heredocs": []}]"#,
    ),
    (
        "json_overflowing_number_is_shell_form",
        "FROM a\nCMD [1e999]\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "cmd", "sub_cmd": null, "json": false, "original": "CMD [1e999]", "value": ["[1e999]"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "json_first_value_only",
        "FROM a\nCMD [\"a\"] trailing\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "cmd", "sub_cmd": null, "json": true, "original": "CMD [\"a\"] trailing", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "json_surrogates",
        "FROM a\nCMD [\"\\ud800\", \"\\ud83d\\ude00\", \"\\udc00x\"]\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "cmd", "sub_cmd": null, "json": true, "original": "CMD [\"\\ud800\", \"\\ud83d\\ude00\", \"\\udc00x\"]", "value": ["�", "😀", "�x"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "json_raw_tab_in_string_is_shell_form",
        "FROM a\nCMD [\"a\tb\"]\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "cmd", "sub_cmd": null, "json": false, "original": "CMD [\"a\tb\"]", "value": ["[\"a\tb\"]"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "json_trailing_comma_is_shell_form",
        "FROM a\nCMD [\"a\",]\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "cmd", "sub_cmd": null, "json": false, "original": "CMD [\"a\",]", "value": ["[\"a\",]"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "json_copy_then_more",
        "FROM a\nCOPY [\"a\",\"b\"] c\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "copy", "sub_cmd": null, "json": true, "original": "COPY [\"a\",\"b\"] c", "value": ["a", "b"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "flags_with_quotes_and_escapes",
        "FROM a\nRUN --mount=type=secret,id=\"x y\" --a='b c' --b=\"x\\\"y\" echo\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN --mount=type=secret,id=\"x y\" --a='b c' --b=\"x\\\"y\" echo", "value": ["echo"], "flags": ["--mount=type=secret,id=x y", "--a=b c", "--b=x\"y"], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "flag_quoted_empty_ends_flags",
        "FROM a\nRUN --\"\" x\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN --\"\" x", "value": ["x"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "single_dash_is_not_a_flag",
        "FROM a\nRUN -x y\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN -x y", "value": ["-x y"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "double_dash_at_end",
        "FROM a\nRUN --a --\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN --a --", "value": [], "flags": ["--a"], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "flag_unterminated_quote",
        "FROM a\nRUN --a=\"unterminated x y\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN --a=\"unterminated x y", "value": [], "flags": ["--a=unterminated x y"], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "env_empty_value_pairs",
        "FROM a\nENV a=\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "env", "sub_cmd": null, "json": false, "original": "ENV a=", "value": ["a", ""], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "env_quoted_key",
        "FROM a\nENV \"a b\"=c\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "env", "sub_cmd": null, "json": false, "original": "ENV \"a b\"=c", "value": ["\"a b\"", "c"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "env_old_form_with_equals_later",
        "FROM a\nENV a b=c\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "env", "sub_cmd": null, "json": false, "original": "ENV a b=c", "value": ["a", "b=c"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "env_and_label_without_args",
        "FROM a\nENV\nLABEL\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "env", "sub_cmd": null, "json": false, "original": "ENV", "value": [], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "label", "sub_cmd": null, "json": false, "original": "LABEL", "value": [], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "label_old_form_quotes",
        "FROM a\nLABEL \"a b\" c d\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "label", "sub_cmd": null, "json": false, "original": "LABEL \"a b\" c d", "value": ["\"a", "b\" c d"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "env_unterminated_quotes",
        "FROM a\nENV a='b\nENV c=\"d\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "env", "sub_cmd": null, "json": false, "original": "ENV a='b", "value": ["a", "'b"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "env", "sub_cmd": null, "json": false, "original": "ENV c=\"d", "value": ["c", "\"d"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "backslash_only_line",
        "FROM a\n\\\nRUN b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN b", "value": ["b"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "backslash_only_line_at_eof",
        "FROM a\n\\\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": null, "sub_cmd": null, "json": false, "original": null, "value": [""], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "double_backslash_is_not_continuation",
        "FROM a\nRUN b \\\\\nRUN c\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN b \\\\", "value": ["b \\\\"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN c", "value": ["c"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "triple_backslash_is_not_continuation",
        "FROM a\nRUN b \\\\\\\nc\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN b \\\\\\", "value": ["b \\\\\\"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "c", "sub_cmd": null, "json": false, "original": "c", "value": [""], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "unknown_keyword_keeps_flags",
        "FROM a\nFOO --x=1 bar\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "foo", "sub_cmd": null, "json": false, "original": "FOO --x=1 bar", "value": [""], "flags": ["--x=1"], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "onbuild_bare_and_nested",
        "FROM a\nONBUILD\nONBUILD ONBUILD\nONBUILD --x ADD a b\nONBUILD FROM b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "onbuild", "sub_cmd": null, "json": false, "original": "ONBUILD", "value": [], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "onbuild", "sub_cmd": "onbuild", "json": false, "original": "ONBUILD ONBUILD", "value": [], "flags": [], "sub_flags": [], "start_line": 3, "end_line": 3, "heredocs": []}, {"cmd": "onbuild", "sub_cmd": "add", "json": false, "original": "ONBUILD --x ADD a b", "value": ["a", "b"], "flags": ["--x"], "sub_flags": [], "start_line": 4, "end_line": 4, "heredocs": []}, {"cmd": "onbuild", "sub_cmd": "from", "json": false, "original": "ONBUILD FROM b", "value": ["b"], "flags": [], "sub_flags": [], "start_line": 5, "end_line": 5, "heredocs": []}]"#,
    ),
    (
        "healthcheck_forms",
        "FROM a\nHEALTHCHECK NONE\nHEALTHCHECK CMD\t[\"x\"]\nHEALTHCHECK\tCMD\nHEALTHCHECK --interval=1s CMD echo hi\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "healthcheck", "sub_cmd": null, "json": false, "original": "HEALTHCHECK NONE", "value": ["NONE"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "healthcheck", "sub_cmd": null, "json": true, "original": "HEALTHCHECK CMD\t[\"x\"]", "value": ["CMD", "x"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}, {"cmd": "healthcheck", "sub_cmd": null, "json": false, "original": "HEALTHCHECK\tCMD", "value": ["CMD"], "flags": [], "sub_flags": null, "start_line": 4, "end_line": 4, "heredocs": []}, {"cmd": "healthcheck", "sub_cmd": null, "json": false, "original": "HEALTHCHECK --interval=1s CMD echo hi", "value": ["CMD", "echo hi"], "flags": ["--interval=1s"], "sub_flags": null, "start_line": 5, "end_line": 5, "heredocs": []}]"#,
    ),
    (
        "string_instructions",
        "FROM a\nMAINTAINER  me  you \nSTOPSIGNAL\nUSER\nWORKDIR /a b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "maintainer", "sub_cmd": null, "json": false, "original": "MAINTAINER  me  you ", "value": ["me  you"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "stopsignal", "sub_cmd": null, "json": false, "original": "STOPSIGNAL", "value": [], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}, {"cmd": "user", "sub_cmd": null, "json": false, "original": "USER", "value": [], "flags": [], "sub_flags": null, "start_line": 4, "end_line": 4, "heredocs": []}, {"cmd": "workdir", "sub_cmd": null, "json": false, "original": "WORKDIR /a b", "value": ["/a b"], "flags": [], "sub_flags": null, "start_line": 5, "end_line": 5, "heredocs": []}]"#,
    ),
    (
        "whitespace_lists",
        "FROM --platform=linux/amd64 a AS b\nEXPOSE 80/tcp\t 443\nFROM\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM --platform=linux/amd64 a AS b", "value": ["a", "AS", "b"], "flags": ["--platform=linux/amd64"], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "expose", "sub_cmd": null, "json": false, "original": "EXPOSE 80/tcp\t 443", "value": ["80/tcp", "443"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM", "value": [], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "leading_whitespace_lines",
        "   \n\t\nFROM a\n   RUN b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN b", "value": ["b"], "flags": [], "sub_flags": null, "start_line": 4, "end_line": 4, "heredocs": []}]"#,
    ),
    (
        "nbsp_is_not_a_separator_for_keyword",
        "FROM a\nRUN\u{a0}x\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run x", "sub_cmd": null, "json": false, "original": "RUN x", "value": [""], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"#,
    ),
    (
        "arg_words",
        "FROM a\nARG a=\"b c\" d='e f' g\\ h\nARG\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "arg", "sub_cmd": null, "json": false, "original": "ARG a=\"b c\" d='e f' g\\ h", "value": ["a=\"b c\"", "d='e f'", "g\\ h"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "arg", "sub_cmd": null, "json": false, "original": "ARG", "value": [], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "shell_forms",
        "FROM a\nSHELL [\"powershell\", \"-command\"]\nSHELL powershell\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "shell", "sub_cmd": null, "json": true, "original": "SHELL [\"powershell\", \"-command\"]", "value": ["powershell", "-command"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "shell", "sub_cmd": null, "json": false, "original": "SHELL powershell", "value": ["powershell"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "comment_after_text_is_text",
        "FROM a # comment\nRUN echo # not a comment\n",
        r##"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a # comment", "value": ["a", "#", "comment"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN echo # not a comment", "value": ["echo # not a comment"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}]"##,
    ),
    (
        "continuation_to_comment_then_eof",
        "FROM a\nRUN a \\\n#c\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN a ", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "carriage_return_mid_line",
        "FROM a\rRUN b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a\rRUN b", "value": ["a", "RUN", "b"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}]"#,
    ),
    (
        "carriage_returns_before_newline",
        "FROM a\r\r\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}]"#,
    ),
    (
        "continuation_with_trailing_blanks",
        "FROM a\nRUN a\\ \t \nRUN b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN aRUN b", "value": ["aRUN b"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "heredoc_empty_body_at_eof",
        "FROM a\nRUN <<EOF\nEOF",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN <<EOF", "value": ["<<EOF"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 3, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": ""}]}]"#,
    ),
    (
        "heredoc_same_name_twice",
        "FROM a\nCOPY <<EOF <<EOF /x\na\nEOF\nb\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "copy", "sub_cmd": null, "json": false, "original": "COPY <<EOF <<EOF /x", "value": ["<<EOF", "<<EOF", "/x"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 6, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "a\n"}, {"name": "EOF", "file_descriptor": 0, "content": "b\n"}]}]"#,
    ),
    (
        "escape_backtick_heredoc_continuation",
        "# escape=`\nFROM a\nRUN <<EOF `\n  && x\nhi\nEOF\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "FROM a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "RUN <<EOF   && x", "value": ["<<EOF   && x"], "flags": [], "sub_flags": null, "start_line": 3, "end_line": 6, "heredocs": [{"name": "EOF", "file_descriptor": 0, "content": "hi\n"}]}]"#,
    ),
    (
        "keyword_case_insensitive",
        "from a\nrUn b\nCoPy --FROM=x a b\n",
        r#"[{"cmd": "from", "sub_cmd": null, "json": false, "original": "from a", "value": ["a"], "flags": [], "sub_flags": null, "start_line": 1, "end_line": 1, "heredocs": []}, {"cmd": "run", "sub_cmd": null, "json": false, "original": "rUn b", "value": ["b"], "flags": [], "sub_flags": null, "start_line": 2, "end_line": 2, "heredocs": []}, {"cmd": "copy", "sub_cmd": null, "json": false, "original": "CoPy --FROM=x a b", "value": ["a", "b"], "flags": ["--FROM=x"], "sub_flags": null, "start_line": 3, "end_line": 3, "heredocs": []}]"#,
    ),
    (
        "err_env_no_value",
        "FROM a\nENV PATH\n",
        r#"{"error": "ENV must have two arguments"}"#,
    ),
    (
        "err_env_missing_equals",
        "FROM a\nENV a=b c\n",
        r#"{"error": "Syntax error - can't find = in \"c\". Must be of the form: name=value"}"#,
    ),
    (
        "err_env_nbsp",
        "FROM a\nENV a\u{a0}b\n",
        r#"{"error": "ENV must have two arguments"}"#,
    ),
    (
        "err_json_not_strings",
        "FROM a\nCMD [\"a\", 1]\n",
        r#"{"error": "when using JSON array syntax, arrays must be comprised of strings only"}"#,
    ),
    (
        "err_json_bool",
        "FROM a\nCMD [true]\n",
        r#"{"error": "when using JSON array syntax, arrays must be comprised of strings only"}"#,
    ),
    (
        "err_json_object",
        "FROM a\nCMD [{\"a\":1}]\n",
        r#"{"error": "when using JSON array syntax, arrays must be comprised of strings only"}"#,
    ),
    (
        "err_volume_not_strings",
        "FROM a\nVOLUME [\"/a\", 2]\n",
        r#"{"error": "when using JSON array syntax, arrays must be comprised of strings only"}"#,
    ),
    (
        "err_healthcheck_not_strings",
        "FROM a\nHEALTHCHECK --interval=1s CMD [\"a\", 1]\n",
        r#"{"error": "when using JSON array syntax, arrays must be comprised of strings only"}"#,
    ),
    (
        "err_duplicate_syntax",
        "# syntax=x\n# syntax=y\nFROM a\n",
        r#"{"error": "only one syntax parser directive can be used"}"#,
    ),
    (
        "err_duplicate_escape",
        "# escape=`\n# escape=`\nFROM a\n",
        r#"{"error": "only one escape parser directive can be used"}"#,
    ),
    (
        "err_empty_escape_value",
        "# escape= \nFROM a\n",
        r#"{"error": "invalid escape token ' ' does not match ` or \\"}"#,
    ),
    (
        "err_double_backslash_escape",
        "# escape=\\\\\nFROM a\n",
        r#"{"error": "invalid escape token '\\\\' does not match ` or \\"}"#,
    ),
    (
        "err_unterminated_heredoc",
        "FROM a\nRUN <<EOF\n",
        r#"{"error": "unterminated heredoc"}"#,
    ),
    (
        "err_unterminated_heredoc_no_newline",
        "FROM a\nRUN <<EOF",
        r#"{"error": "unterminated heredoc"}"#,
    ),
    (
        "err_terminator_with_trailing_space",
        "FROM a\nRUN <<EOF\nx\nEOF \n",
        r#"{"error": "unterminated heredoc"}"#,
    ),
    (
        "err_only_directives",
        "# syntax=x\n# escape=`\n",
        r#"{"error": "file with no instructions"}"#,
    ),
    (
        "err_only_blank",
        "  \n\n\t\n",
        r#"{"error": "file with no instructions"}"#,
    ),
    (
        "err_comment_after_instructions_only",
        "# comment\n",
        r#"{"error": "file with no instructions"}"#,
    ),
];

#[test]
fn every_case_matches_buildkit() {
    let mut failures = Vec::new();
    for (name, source, expected) in CASES {
        let expected: serde_json::Value = serde_json::from_str(expected).expect("valid JSON");
        let got: serde_json::Value =
            serde_json::from_str(&corpus_json_string(&parse(source))).expect("our JSON parses");
        if got != expected {
            failures.push(format!("{name}:\n  expected {expected}\n  got      {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn error_at(source: &str) -> (usize, usize, String) {
    let err = parse(source).expect_err("should fail");
    assert_eq!(err.severity, Severity::Error);
    (err.span.line, err.span.column, err.message())
}

#[test]
fn errors_point_at_the_spot() {
    assert_eq!(
        error_at("FROM a\nENV PATH\n"),
        (2, 5, "ENV must have two arguments".to_string())
    );
    // Column counts characters, not bytes.
    assert_eq!(
        error_at("FROM a\nLABEL 한=1 국\n"),
        (
            2,
            11,
            "Syntax error - can't find = in \"국\". Must be of the form: name=value".to_string()
        )
    );
    let (line, col, msg) = error_at("FROM a\nCMD [\"a\", 1]\n");
    assert_eq!((line, col), (2, 11));
    assert_eq!(
        msg,
        "when using JSON array syntax, arrays must be comprised of strings only"
    );
    assert_eq!(
        error_at("FROM a\nRUN cat <<EOF\nx\n"),
        (2, 9, "unterminated heredoc".to_string())
    );
    assert_eq!(
        error_at("# escape=^\nFROM a\n"),
        (
            1,
            10,
            "invalid escape token '^' does not match ` or \\".to_string()
        )
    );
    assert_eq!(
        error_at("# syntax=a\n# syntax=b\nFROM a\n"),
        (
            2,
            1,
            "only one syntax parser directive can be used".to_string()
        )
    );
    assert_eq!(
        error_at(""),
        (1, 1, "file with no instructions".to_string())
    );
    // An error inside a continued instruction points into the right line.
    assert_eq!(
        error_at("FROM a\nENV a=1 \\\n    b\n"),
        (
            3,
            5,
            "Syntax error - can't find = in \"b\". Must be of the form: name=value".to_string()
        )
    );
}

#[test]
fn over_long_line_is_an_error_only_after_an_instruction() {
    let long = format!("FROM a\nLABEL x={}\n", "y".repeat(70_000));
    assert_eq!(
        error_at(&long),
        (
            2,
            1,
            "dockerfile line greater than max allowed size of 65535".to_string()
        )
    );
    let long_first = format!("LABEL x={}\nFROM a\n", "y".repeat(70_000));
    assert_eq!(error_at(&long_first).2, "file with no instructions");
    // 65535 bytes plus the newline still fit.
    let fits = format!("FROM a\nLABEL x={}\n", "y".repeat(65_535 - 8));
    assert!(parse(&fits).is_ok());
}

#[test]
fn errors_have_help_and_render_with_a_caret() {
    let src = "FROM a\nCMD [\"a\", 1]\n";
    let err = parse(src).expect_err("fails");
    assert!(err.help().is_some());
    let text = err.render("Dockerfile", src);
    assert!(text.contains("Dockerfile:2:11"), "{text}");
    assert!(text.contains("CMD [\"a\", 1]"), "{text}");
    assert!(
        !text.to_lowercase().contains("rule"),
        "no grammar names: {text}"
    );
}

#[test]
fn empty_continuation_lines_warn() {
    let df = parse("FROM a\nRUN a \\\n\n  b\n").expect("parses");
    assert_eq!(df.warnings.len(), 1);
    let w = &df.warnings[0];
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.message(), "Empty continuation line found in: RUN a   b");
    assert_eq!(w.span.line, 3);
    assert!(parse("FROM a\nRUN a \\\n  b\n")
        .expect("parses")
        .warnings
        .is_empty());
}

#[test]
fn spans_point_into_the_source() {
    let src = "\u{feff}FROM a\r\nRUN --mount=type=cache,target=/x \\\r\n  echo 한국 \\\r\n  done\r\nENV 이름=\"값 값\" b=c\r\n";
    let df = parse(src).expect("parses");
    let run = &df.instructions[1];
    assert_eq!(run.keyword, Keyword::Run);
    assert_eq!((run.span.line, run.span.column, run.end_line), (2, 1, 4));
    assert_eq!(
        &src[run.span.start..run.span.end],
        &src[src.find("RUN").unwrap()..src.find("done").unwrap() + 4]
    );
    let flag = &run.flags[0];
    assert_eq!(
        (flag.name.as_str(), flag.value.as_deref()),
        ("mount", Some("type=cache,target=/x"))
    );
    assert_eq!(
        &src[flag.span.start..flag.span.end],
        "--mount=type=cache,target=/x"
    );
    assert_eq!(run.args[0].span.line, 3);
    assert_eq!(run.args[0].span.column, 3);
    let env = &df.instructions[2];
    let values: Vec<&str> = env.values().collect();
    assert_eq!(values, ["이름", "\"값 값\"", "b", "c"]);
    assert_eq!(
        &src[env.args[1].span.start..env.args[1].span.end],
        "\"값 값\""
    );
    assert_eq!(env.args[2].span.column, 14);
    // Line 1 columns do not count the BOM.
    assert_eq!(df.instructions[0].span.column, 1);
    assert_eq!(df.instructions[0].keyword_span.start, 3);
}

#[test]
fn directives_and_escape_are_recorded() {
    let df = parse("# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n").expect("parses");
    assert_eq!(df.escape, '`');
    let names: Vec<(&str, &str)> = df
        .directives
        .iter()
        .map(|d| (d.name.as_str(), d.value.as_str()))
        .collect();
    assert_eq!(names, [("syntax", "docker/dockerfile:1"), ("escape", "`")]);
    assert_eq!(df.directives[1].span.line, 2);
    let df = parse("# check=skip=all\nFROM a\n").expect("parses");
    assert_eq!(df.directives[0].name, "check");
    assert_eq!(df.escape, '\\');
}

#[test]
fn heredoc_details_in_the_ast() {
    let src = "FROM a\nRUN 3<<-'EOF' cat\n\tx\n\tEOF\n";
    let df = parse(src).expect("parses");
    let h = &df.instructions[1].heredocs[0];
    assert_eq!(
        (h.name.as_str(), h.file_descriptor, h.chomp, h.quoted),
        ("EOF", 3, true, true)
    );
    assert_eq!(h.content, "\tx\n");
    assert_eq!(&src[h.span.start..h.span.end], "3<<-'EOF'");
    assert_eq!(df.instructions[1].end_line, 4);
}

#[test]
fn onbuild_wraps_an_instruction() {
    let df = parse("FROM a\nONBUILD COPY --from=b x y\nONBUILD\n").expect("parses");
    let ob = &df.instructions[1];
    assert_eq!(ob.keyword, Keyword::Onbuild);
    let inner = ob.onbuild.as_deref().expect("wrapped instruction");
    assert_eq!(inner.keyword, Keyword::Copy);
    assert_eq!(inner.flags[0].text(), "--from=b");
    assert_eq!(inner.values().collect::<Vec<_>>(), ["x", "y"]);
    assert_eq!(inner.keyword_span.column, 9);
    assert!(df.instructions[2].onbuild.is_none());
}

#[test]
fn onbuild_trigger_errors_come_from_the_builder_stage() {
    // BuildKit's parser accepts these; its instruction layer rejects them.
    let df = parse(
        "FROM a\nONBUILD ONBUILD RUN x\nONBUILD FROM b\nONBUILD maintainer me\nONBUILD RUN y\n",
    )
    .expect("parses");
    let msgs: Vec<Option<String>> = df
        .instructions
        .iter()
        .map(|i| i.onbuild_trigger_error().map(|d| d.message()))
        .collect();
    assert_eq!(
        msgs,
        [
            None,
            Some("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".to_string()),
            Some("FROM isn't allowed as an ONBUILD trigger".to_string()),
            Some("MAINTAINER isn't allowed as an ONBUILD trigger".to_string()),
            None,
        ]
    );
}

#[test]
fn original_keeps_text_as_written() {
    let df = parse("FROM a\nRUN echo a \\\n# dropped\n    b   \n").expect("parses");
    assert_eq!(df.instructions[1].original, "RUN echo a     b   ");
    assert_eq!(df.source, "FROM a\nRUN echo a \\\n# dropped\n    b   \n");
}
